/**
 * The `create` suite's load generator, in a process of its own: a warm-up run (none for 0 seconds),
 * then a measured run (for a number of seconds, or of requests), of one POST request over keep-alive
 * connections, with autocannon. Every
 * answer's body is checked (a created task and no GraphQL error); answers that fail count as
 * mismatches. Prints one JSON line: { warmup, measured }. Arguments: a JSON object of LoadOptions.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** With it, the measured run sends this many requests, however long they take, instead of running `seconds`. */
  amount?: number;
  /**
   * Text of `body` that each request replaces with a key of its own (a random UUID), in autocannon's
   * `setupRequest` (its own `idReplacement` sends a Content-Length that does not match the body).
   * With it, every request is built anew whether its body holds the text or not, so that loads
   * compared with one another cost the load generator the same.
   */
  uniqueKey?: string;
}

export interface LoadResult {
  /** Seconds the run took. */
  duration: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx answers whose body was not a created task, or held a GraphQL error. */
  mismatches: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p99: number };
}

interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  pipelining: number;
  duration: number;
  amount?: number;
  sampleInt?: number;
  verifyBody(body: string): boolean;
  requests?: { setupRequest(request: { body: string }): { body: string } }[];
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** What every answer must look like: the task (its id naming its partition when there are several), queued, and nothing else. */
const CREATED = /^\{"data":\{"createSleepTask":\{"id":"(p\d{1,3}-)?[0-9a-f-]{36}","state":"QUEUED"\}\}\}$/;

export function isCreated(body: string): boolean {
  return CREATED.test(body.trim());
}

/** autocannon's setupRequest: the request's body with `placeholder` replaced by a key of its own. */
function withUniqueKey(placeholder: string) {
  return (request: { body: string }) => ({ ...request, body: request.body.replaceAll(placeholder, randomUUID()) });
}

async function run(options: LoadOptions, seconds: number, amount?: number): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    pipelining: 1,
    duration: seconds,
    // A run of a number of requests ends at autocannon's next sample after the last answer: sampled
    // every 10 ms rather than every second, its duration is the requests' own.
    ...(amount !== undefined && { amount, sampleInt: 10 }),
    ...(options.uniqueKey !== undefined && { requests: [{ setupRequest: withUniqueKey(options.uniqueKey) }] }),
    verifyBody: isCreated,
  });
  return {
    duration: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

// Only as an entry point: the suite imports isCreated and the types from here.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv[2]) throw new Error('usage: load.ts JSON_OPTIONS');
  const options = JSON.parse(process.argv[2]) as LoadOptions;
  const warmup =
    options.warmupSeconds > 0
      ? await run(options, options.warmupSeconds)
      : { duration: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, mismatches: 0, p50: 0, p99: 0 };
  const measured = await run(options, options.seconds, options.amount);
  process.stdout.write(`${JSON.stringify({ warmup, measured })}\n`);
}
