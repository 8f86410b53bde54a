import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
} from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import { BullMQOtel, BullMQOTelSpan } from 'bullmq-otel';

/**
 * BullMQ's own telemetry (its `telemetry` option, through bullmq-otel): a job's `add`, each
 * `process` of it and what that does, as spans. BullMQ carries the trace context with the job in its
 * options (`tm`), never in its data, which stays the task's input; a retry's context follows the
 * failed attempt's.
 *
 * Two changes to bullmq-otel's: a span is recorded only inside a trace that already exists (a
 * task's), since BullMQ's housekeeping (stall checks, lock renewals) would otherwise start a trace
 * of its own every few seconds per queue; and its loops start detached (`root`), rather than under
 * whatever was active when the worker started. Job options that do not hold a trace context are
 * passed over.
 */
export function createBullmqTelemetry(): Telemetry<Context> {
  const otel = new BullMQOtel({ tracerName: 'bullmq' });
  const outsideAnyTrace = new BullMQOTelSpan(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const inTrace = (within: Context) => {
    const spanContext = trace.getSpanContext(within);
    return spanContext !== undefined && isSpanContextValid(spanContext);
  };
  return {
    tracer: {
      startSpan(name, options, parent) {
        const within = parent ?? context.active();
        return inTrace(within) ? otel.tracer.startSpan(name, options, within) : outsideAnyTrace;
      },
    },
    contextManager: {
      active: () => otel.contextManager.active(),
      with: (within, run) => otel.contextManager.with(within, run),
      root: () => ROOT_CONTEXT,
      getMetadata: (within) => otel.contextManager.getMetadata(within),
      fromMetadata(active, metadata) {
        try {
          return otel.contextManager.fromMetadata(active, metadata);
        } catch {
          return active;
        }
      },
    },
  };
}
