/**
 * The browser bundle (dashboard and playground) is built by Vite into client/dist. `npm start` and
 * the test suite build it when it is missing or older than its sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../testbed/processes.js';

const sources = ['src', 'public', 'index.html', 'playground.html', 'vite.config.ts'];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

export function clientBuildIsStale(root: string): boolean {
  const built = join(root, 'client', 'dist', 'index.html');
  if (!existsSync(built) || !existsSync(join(root, 'client', 'dist', 'playground.html'))) return true;
  const sourceTime = Math.max(...sources.map((source) => newestChange(join(root, 'client', source))));
  return sourceTime > statSync(built).mtimeMs;
}

/** `npm run build:client`, its warnings and errors on this process's stderr; rejects when it fails. */
export async function buildClient(root: string): Promise<void> {
  const { code } = await runProcess('npm', ['run', 'build:client'], {
    cwd: root,
    stdout: 'ignore',
    stderr: 'inherit',
    timeoutMs: 300_000,
  });
  if (code !== 0) throw new Error(`npm run build:client failed (exit code ${code})`);
}
