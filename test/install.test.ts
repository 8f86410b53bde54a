import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../testbed/processes.js';
import { projectDir } from './support/stack.js';

/**
 * `npm ci` in a fresh clone of the committed tree, as a developer or CI gets it, on the Node.js that
 * runs the tests (20 and 24 in CI). A dry run: it resolves the lockfile, checks every package's
 * engines and every install script against `allowScripts`, and prints the same warnings as a full
 * install, without unpacking a thousand packages again (the suite's own `npm ci` does that).
 */
describe('npm ci', () => {
  it('should install with no warning on the Node.js lines the service supports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-ci-'));
    try {
      const clone = await runProcess('git', ['clone', '--quiet', projectDir, dir]);
      expect(clone.code, clone.output).toBe(0);
      // Vitest's NODE_ENV=test, or production, would leave out the development tools
      const env = { ...process.env, NODE_ENV: undefined };
      const install = await runProcess('npm', ['ci', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        env,
        timeoutMs: 110_000,
      });
      const output = `${install.stdout}${install.stderr}`;
      expect(install.code, output).toBe(0);
      expect(output).toMatch(/added \d+ packages/);
      const warnings = output.split('\n').filter((line) => line.startsWith('npm warn'));
      expect(warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
