import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { variableNames } from '../core/config.js';
import { apiConfigSchema } from '../src/config.js';
import { workerConfigSchema } from '../worker/config.js';
import { expectRunnable, packageJson, readProjectFile as read } from './support/deploy-files.js';
import { projectDir } from './support/stack.js';

// No container engine runs here: these tests read the files and check that everything they run exists.

describe('docker-compose.yaml', () => {
  const compose = parse(read('docker-compose.yaml'), { merge: true }) as {
    services: Record<string, Record<string, any>>;
    volumes: Record<string, unknown>;
  };
  const { redis, api, worker } = compose.services;

  it('should run Redis 7 or newer with a health check and append-only persistence on a volume', () => {
    expect(Number(/^redis:(\d+)/.exec(redis!.image)![1])).toBeGreaterThanOrEqual(7);
    expect(redis!.command.join(' ')).toContain('--appendonly yes');
    expect(redis!.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    const [volume, target] = (redis!.volumes[0] as string).split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume!);
    expect(redis!.restart).toBe('unless-stopped');
  });

  it("should publish Redis on this machine only, and not on a local Redis's port (6379)", () => {
    const ports = (redis!.ports ?? []) as string[];
    for (const port of ports) {
      const [host, published] = port.split(':');
      expect(host).toBe('127.0.0.1');
      expect(published).not.toBe('6379');
    }
    // The port the compose file's opening comment gives for `npm start`.
    expect(ports).toEqual(['127.0.0.1:6380:6379']);
    expect(read('docker-compose.yaml')).toContain('REDIS_URL=redis://127.0.0.1:6380 npm start');
  });

  it.each([
    ['api', api],
    ['worker', worker],
  ])('should run the %s from the project, after a healthy Redis, with RESULT_TTL=900', (_name, service) => {
    expectRunnable(service!.command);
    expect(service!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(service!.restart).toBe('unless-stopped');
    expect(service!.environment.RESULT_TTL).toBe('900');
    expect(service!.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(service!.build).toBe('.');
  });

  it('should only set variables the services read', () => {
    for (const [service, schema] of [
      [api, apiConfigSchema],
      [worker, workerConfigSchema],
    ] as const) {
      const names = variableNames(schema);
      for (const name of Object.keys(service!.environment)) {
        // RESULT_TTL is set on the worker too so the two can never be told different values.
        if (name !== 'RESULT_TTL') expect(names).toContain(name);
      }
    }
    expect(api!.ports).toContain(`${api!.environment.PORT}:4000`);
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = lines.filter((line) => line.startsWith('FROM '));
  const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1)!));

  it('should build in one stage and run compiled output in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(lines).toContain('RUN npm ci');
    expect(lines.some((line) => line === 'RUN npm run build')).toBe(true);
    expect(packageJson.scripts.build).toContain('build:server');
    expect(packageJson.scripts['build:server']).toContain('tsconfig.build.json');
    expect(packageJson.scripts.build).toContain('build:client');
    expect(finalStage.some((line) => line.startsWith('RUN npm ci --omit=dev'))).toBe(true);
    expect(finalStage).toContain('COPY --from=build /app/dist dist');
  });

  it('should build and run on Node.js 24, the line CI tests and package.json admits', () => {
    for (const stage of stages) expect(/^FROM node:(\d+)-/.exec(stage)?.[1], stage).toBe('24');
    expect(/^node24_version=(\d+)\.\d+\.\d+$/m.exec(read('.ci/run'))?.[1]).toBe('24');
    expect(packageJson.engines.node.split('||').map((range) => range.trim())).toContain('>=24');
  });

  it('should run as a user that is not root', () => {
    const user = finalStage.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
  });

  it("should copy into the build stage every folder the server's compiled code reads", () => {
    // `npm run build:server` compiles what tsconfig.build.json includes and every file of the project
    // those import (scripts/start.ts uses testbed/): a folder left out breaks the image's build only.
    const buildStage = lines.slice(0, lines.indexOf(stages[1]!));
    const copied = buildStage
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from'))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    const config = ts.getParsedCommandLineOfConfigFile(
      join(projectDir, 'tsconfig.build.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    )!;
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    const folders = new Set(
      program
        .getSourceFiles()
        .map((file) => relative(projectDir, file.fileName))
        .filter((file) => !file.startsWith('..') && !file.split(sep).includes('node_modules'))
        .map((file) => file.split(sep)[0]!),
    );
    expect(folders.size).toBeGreaterThan(3);
    for (const folder of folders) expect(copied, folder).toContain(folder);
  });

  it('should copy only what exists and run a file of the project', () => {
    for (const line of lines.filter((entry) => entry.startsWith('COPY ') && !entry.includes('--from'))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(join(projectDir, source)), source).toBe(true);
    }
    const cmd = JSON.parse(lines.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
    expectRunnable(cmd);
  });
});
