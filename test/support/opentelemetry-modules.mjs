// Preloaded into an entry point (NODE_OPTIONS=--import=<this file>): as the process exits, it
// prints the OpenTelemetry modules it loaded (OpenTelemetry's packages are CommonJS, so all of
// them are in require's cache), for a test to see what a configuration loads and what it leaves out.
import { createRequire } from 'node:module';
import process from 'node:process';

const { cache } = createRequire(import.meta.url);
process.on('exit', () => {
  const loaded = new Set(
    Object.keys(cache).flatMap((path) => path.match(/node_modules\/(@opentelemetry\/[^/]+|bullmq-otel)\//)?.[1] ?? []),
  );
  process.stderr.write(`opentelemetry modules: ${JSON.stringify([...loaded].sort())}\n`);
});
