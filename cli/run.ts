import { createApiClient } from './api-client.js';
import { parseCommandLine, usage } from './args.js';
import { runCommand } from './commands.js';
import { parseCliConfig } from './config.js';
import { CliError, describeError, ExitCode, type ExitCodeValue } from './errors.js';
import type { Output } from './watch-view.js';

/**
 * The command line from its arguments to its exit code: parses them, runs the command against the
 * API, prints what went wrong (on stderr; as JSON with --json), and closes what it opened.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: Output,
  signal: AbortSignal,
): Promise<ExitCodeValue> {
  let json = argv.includes('--json');
  const fail = (error: CliError): ExitCodeValue => {
    if (error.exitCode === ExitCode.interrupted) return error.exitCode;
    output.stderr.write(json ? `${JSON.stringify({ error })}\n` : `task-service: ${describeError(error)}\n`);
    if (error.code === 'USAGE' && !json) output.stderr.write('(task-service --help lists the commands)\n');
    return error.exitCode;
  };

  let parsed;
  let config;
  try {
    parsed = parseCommandLine(argv);
    json = parsed.json;
    if (parsed.command.name === 'help') {
      // Asked for: on stdout. Given no command at all: a usage error.
      if (argv.length === 0) {
        output.stderr.write(usage);
        return ExitCode.usage;
      }
      output.stdout.write(usage);
      return ExitCode.ok;
    }
    config = parseCliConfig(parsed, env);
  } catch (error) {
    if (error instanceof CliError) return fail(error);
    throw error;
  }

  const api = createApiClient({ ...config, signal });
  try {
    return await runCommand(parsed.command, { api, output, json });
  } catch (error) {
    if (error instanceof CliError) return fail(error);
    throw error;
  } finally {
    await api.close();
  }
}
