import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { z } from 'zod';
import { parseConfig, variableNames } from '../../core/config.js';
import { apiConfigSchema } from '../../src/config.js';
import { workerConfigSchema } from '../../worker/config.js';
import { projectDir } from './stack.js';

// What the tests of the deployment files share: no container engine or cluster runs here, so they
// read the files and check that everything they run and set exists.

export const readProjectFile = (file: string) => readFileSync(join(projectDir, file), 'utf8');

export const packageJson = JSON.parse(readProjectFile('package.json')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};
const buildConfig = JSON.parse(readProjectFile('tsconfig.build.json')) as { include: string[] };

/** `node dist/x/y.js` runs the compiled x/y.ts; `npm run s` (or `npm start`) a script of package.json. */
export function expectRunnable(command: string[]) {
  const [program, ...args] = command;
  if (program === 'node') {
    const compiled = args.find((arg) => arg.endsWith('.js'))!;
    expect(compiled).toMatch(/^dist\//);
    const source = compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(join(projectDir, source)), `${source} exists`).toBe(true);
    expect(buildConfig.include).toContain(source.split('/')[0]);
  } else if (program === 'npm') {
    const script = args[0] === 'run' ? args[1]! : args[0]!;
    expect(packageJson.scripts, `npm script ${script}`).toHaveProperty(script);
  } else {
    throw new Error(`unexpected program: ${command.join(' ')}`);
  }
}

/** Which part of the service a command runs, by its compiled entry point. */
export function partOf(command: string[]): 'api' | 'worker' {
  if (command.includes('dist/src/main.js')) return 'api';
  if (command.includes('dist/worker/main.js')) return 'worker';
  throw new Error(`runs neither the API nor the worker: ${command.join(' ')}`);
}

export const configSchemas = { api: apiConfigSchema, worker: workerConfigSchema } satisfies Record<string, z.ZodType>;

/** Every variable is one the part reads, and together they make a valid configuration. */
export function expectValidEnvironment(part: 'api' | 'worker', env: Record<string, string>, where: string) {
  const names = variableNames(configSchemas[part]);
  for (const name of Object.keys(env)) expect(names, `${where} sets ${name}`).toContain(name);
  expect(() => parseConfig(configSchemas[part], env), where).not.toThrow();
}
