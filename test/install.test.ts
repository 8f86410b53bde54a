import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectDir } from './support/stack.js';

/**
 * `npm ci` in a fresh clone of the committed tree, as a developer or CI gets it, on the Node.js that
 * runs the tests (20 and 24 in CI). A dry run: it resolves the lockfile, checks every package's
 * engines and every install script against `allowScripts`, and prints the same warnings as a full
 * install, without unpacking a thousand packages again (the suite's own `npm ci` does that).
 */
describe('npm ci', () => {
  it('should install with no warning on the Node.js lines the service supports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-ci-'));
    try {
      execFileSync('git', ['clone', '--quiet', projectDir, dir]);
      const env = { ...process.env };
      delete env.NODE_ENV; // Vitest's NODE_ENV=test, or production, would leave out the development tools
      const { status, stdout, stderr } = spawnSync(
        'npm',
        ['ci', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund'],
        { cwd: dir, env, encoding: 'utf8' },
      );
      const output = `${stdout}${stderr}`;
      expect(status, output).toBe(0);
      expect(output).toMatch(/added \d+ packages/);
      const warnings = output.split('\n').filter((line) => line.startsWith('npm warn'));
      expect(warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
