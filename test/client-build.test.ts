import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger, type Rollup } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { isHarmless, onBuildWarning } from '../client/build-warnings.js';
import projectConfig from '../client/vite.config.js';
import { startProcess } from '../testbed/processes.js';
import { projectDir } from './support/stack.js';
import { within } from '../testbed/wait.js';

const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `npm run build:client` as `npm start` does, into a folder of its own (client/dist stays as it is). */
async function buildClientInto(outDir: string) {
  const building = startProcess('npm', ['run', 'build:client', '--', '--outDir', outDir, '--emptyOutDir'], {
    env: { ...process.env, NODE_ENV: undefined }, // Vitest's NODE_ENV=test is not what a newcomer's shell has
    ownGroup: true, // so that a build that hangs can be stopped whole
  });
  try {
    return {
      code: await within(building.exited, 150_000, 'the client build'),
      stdout: building.stdout(),
      stderr: building.stderr(),
    };
  } finally {
    await building.close();
  }
}

describe('the browser bundle build', () => {
  it('should print no warning, as npm start shows it, on a fresh build', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await buildClientInto(tempDir('client-dist-'));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('built in');
    // npm start shows the build's stderr only: that is where Vite's warnings go.
    expect(stderr).not.toContain('Module level directives');
    expect(stderr.trim()).toBe('');
  });

  it("should still show a directive in the project's own code and every other warning", async () => {
    const root = tempDir('client-warnings-');
    mkdirSync(join(root, 'node_modules', 'dependency'), { recursive: true });
    writeFileSync(
      join(root, 'node_modules', 'dependency', 'package.json'),
      JSON.stringify({ name: 'dependency', type: 'module', main: 'index.js' }),
    );
    writeFileSync(join(root, 'node_modules', 'dependency', 'index.js'), '"use client";\nexport default 1;\n');
    writeFileSync(
      join(root, 'main.js'),
      '"use server";\nimport dependency from "dependency";\nexport const answer = eval("dependency + 41");\n',
    );
    const warnings: string[] = [];
    const customLogger = createLogger('warn', { allowClearScreen: false });
    customLogger.warn = (message) => void warnings.push(message);

    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      customLogger,
      build: {
        write: false,
        lib: { entry: join(root, 'main.js'), formats: ['es'], fileName: 'main' },
        rollupOptions: { onwarn: projectConfig.build?.rollupOptions?.onwarn },
      },
    });

    const printed = warnings.join('\n');
    expect(printed).toMatch(/"use server" in "[^"]*main\.js" was ignored/);
    expect(printed).toContain('Use of eval');
    expect(printed).not.toContain('"use client"');
  });
});

describe('onBuildWarning', () => {
  const directive = (id: string): Rollup.RollupLog => ({
    code: 'MODULE_LEVEL_DIRECTIVE',
    id,
    message: `Module level directives cause errors when bundled, "use client" in "${id}" was ignored.`,
  });
  const forwarded = (warning: Rollup.RollupLog) => {
    const seen: unknown[] = [];
    onBuildWarning(warning, (log) => void seen.push(log));
    return seen;
  };

  it('should drop a module-level directive of a dependency', () => {
    const warning = directive(join(projectDir, 'node_modules', '@graphiql', 'react', 'dist', 'index.js'));
    expect(isHarmless(warning)).toBe(true);
    expect(forwarded(warning)).toEqual([]);
  });

  it('should forward a module-level directive of our own sources, and a warning of any other code', () => {
    const own = directive(join(projectDir, 'client', 'src', 'dashboard', 'main.tsx'));
    expect(forwarded(own)).toEqual([own]);
    const withoutId: Rollup.RollupLog = { code: 'MODULE_LEVEL_DIRECTIVE', message: 'a directive' };
    expect(forwarded(withoutId)).toEqual([withoutId]);
    const other: Rollup.RollupLog = {
      code: 'EVAL',
      id: join(projectDir, 'node_modules', 'x', 'index.js'),
      message: 'Use of eval',
    };
    expect(forwarded(other)).toEqual([other]);
  });
});
