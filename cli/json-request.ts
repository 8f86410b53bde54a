import { CliError, ExitCode, interrupted, responseTooLarge, unreachable } from './errors.js';

export interface JsonRequestBounds {
  /** Aborts the request (Ctrl-C): it then fails with the `interrupted` error. */
  signal: AbortSignal;
  /** Milliseconds from sending the request to the last byte of its answer. */
  timeoutMs: number;
  /** Bytes the answer's body may hold, once decompressed; reading stops past them. */
  maxResponseBytes: number;
}

/** Why fetch could not get an answer: what a person can act on, from undici's error and its cause. */
function requestFailure(error: unknown, url: string): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  const host = new URL(url).host;
  if (code === 'ECONNREFUSED') return unreachable(`cannot reach ${url}: nothing is listening at ${host}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return unreachable(`cannot reach ${url}: unknown host ${host}`);
  return unreachable(`cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

/** The body, read chunk by chunk, no further than `maxBytes`: a larger one is cancelled, not buffered. */
async function readBody(response: Response, url: string, maxBytes: number): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw responseTooLarge(url, maxBytes);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body?.getReader();
  if (!reader) return '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw responseTooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POSTs a JSON body and answers the JSON that comes back, within bounds of time and size that hold
 * on every Node line: a plain timer aborts the request, and is cleared when it ends (a timeout
 * signal inside `AbortSignal.any` can be collected before it fires on Node 20, nodejs/node#57736,
 * leaving a request that never ends). An answer that is not JSON means no task service answered.
 */
export async function postJson(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  { signal, timeoutMs, maxResponseBytes }: JsonRequestBounds,
): Promise<unknown> {
  if (signal.aborted) throw interrupted();
  const controller = new AbortController();
  let answered = false;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal.addEventListener('abort', onAbort);
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
    answered = true;
    const type = response.headers.get('content-type') ?? '';
    if (!/json/.test(type)) {
      await response.body?.cancel();
      if (response.status >= 502 && response.status <= 504) {
        throw unreachable(`${url} answered ${response.status}: the API is not available right now`);
      }
      throw unreachable(`${url} answered ${response.status} ${type || 'without a content type'}: not the task service`);
    }
    const text = await readBody(response, url, maxResponseBytes);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CliError(
        `${url} answered JSON that could not be read: ${String(error)}`,
        ExitCode.failed,
        'BAD_ANSWER',
      );
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (signal.aborted) throw interrupted();
    if (timedOut) {
      const seconds = timeoutMs / 1000;
      throw unreachable(
        answered
          ? `the answer from ${url} did not end within ${seconds} s`
          : `no answer from ${url} within ${seconds} s`,
      );
    }
    throw requestFailure(error, url);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
