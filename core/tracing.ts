import {
  context,
  isSpanContextValid,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

/**
 * The service's own spans, through OpenTelemetry's API alone: with no SDK started (no endpoint
 * set, see core/tracing-sdk.ts) every call here is the API's no-op and costs next to nothing.
 */
export const tracer = trace.getTracer('task-service');

/** Names the error on the span and marks it failed. */
export function recordError(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

/**
 * Runs `run` under a new span, child of the active one. What it throws is thrown on, and recorded
 * on the span as `failure` says: the error itself by default, another (its cause), or none
 * (undefined: it is no failure).
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; failure?: (error: unknown) => unknown },
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const { failure = (error: unknown) => error, ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      const recorded = failure(error);
      if (recorded !== undefined) recordError(span, recorded);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span's ids for a log line (pino's mixin), as OpenTelemetry's own pino instrumentation names them. */
export function traceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`,
  };
}
