import { runCli } from './run.js';

/**
 * The command line's entry point (bin/task-service.js runs it): the only place that reads argv and
 * the environment, and that exits. Ctrl-C aborts what runs (its socket closed, the cursor shown
 * again) and exits 130; a second Ctrl-C stops it at once.
 */
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

let code: number;
try {
  code = await runCli(process.argv.slice(2), process.env, process, controller.signal);
} catch (error) {
  process.stderr.write(`task-service: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  code = 1;
}
process.exitCode = code;
// Everything it opened is closed by now; should something still hold the event loop, it ends anyway.
setTimeout(() => process.exit(code), 1_000).unref();
