import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context as TraceContext,
  type Span,
} from '@opentelemetry/api';
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Context as SocketContext, ServerOptions } from 'graphql-ws';
import { recordError, tracer } from '../../core/tracing.js';
import { describeOperation, UNKNOWN_OPERATION } from '../graphql/operation-span.js';
import type { SocketExtra } from './socket-operations.js';

type Options = ServerOptions<Record<string, unknown> | undefined, SocketExtra>;
type Ctx = SocketContext<Record<string, unknown> | undefined, SocketExtra>;

/** Where onSubscribe below hands its span to the onSubscribe it wraps. */
const OPERATION_SPAN = createContextKey('task-service graphql-ws operation span');

/**
 * The span of the operation whose onSubscribe runs under `within` (traces on), for its context: read
 * before onSubscribe's first await, and put into the operation's context before its stream starts.
 */
export function operationSpanOf(within: TraceContext): Span | undefined {
  return within.getValue(OPERATION_SPAN) as Span | undefined;
}

function isErrors(answer: ExecutionArgs | readonly GraphQLError[] | void): answer is readonly GraphQLError[] {
  return Array.isArray(answer);
}

/**
 * graphql-ws's server options with a span for each operation, through its own hooks: from
 * `onSubscribe` (every check and the admission under it) to `onComplete` (a subscription's last
 * event, a query's or a mutation's answer), with the errors it answers. Each operation over a
 * WebSocket starts a trace of its own. The wrapped onSubscribe runs under the span, and finds it by
 * `operationSpanOf` to build the operation's context with it; the arguments it answers are handed on
 * as they are.
 */
export function tracedOperations(options: Options): Options {
  /** Each socket's operations with their spans, until they complete. */
  const spans = new WeakMap<Ctx, Map<string, Span>>();
  const spanOf = (ctx: Ctx, id: string) => spans.get(ctx)?.get(id);
  const end = (ctx: Ctx, id: string) => {
    spanOf(ctx, id)?.end();
    spans.get(ctx)?.delete(id);
  };

  return {
    ...options,

    async onSubscribe(ctx, id, payload) {
      const span = tracer.startSpan(UNKNOWN_OPERATION, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      const within = trace.setSpan(ROOT_CONTEXT, span).setValue(OPERATION_SPAN, span);
      let answer: ExecutionArgs | readonly GraphQLError[] | void;
      try {
        answer = await context.with(within, () => options.onSubscribe?.(ctx, id, payload));
      } catch (error) {
        recordError(span, error);
        span.end();
        throw error;
      }
      if (isErrors(answer)) {
        for (const error of answer) recordError(span, error);
        span.end();
        return answer;
      }
      if (answer) {
        const operation = getOperationAST(answer.document, answer.operationName);
        if (operation) describeOperation(span, operation);
      }
      const socketSpans = spans.get(ctx) ?? new Map<string, Span>();
      spans.set(ctx, socketSpans.set(id, span));
      return answer;
    },

    onNext(ctx, id, payload, args, result) {
      const span = spanOf(ctx, id);
      if (span && result.errors) for (const error of result.errors) recordError(span, error);
      return options.onNext?.(ctx, id, payload, args, result);
    },

    onError(ctx, id, payload, errors) {
      const span = spanOf(ctx, id);
      if (span) for (const error of errors) recordError(span, error);
      return options.onError?.(ctx, id, payload, errors);
    },

    async onComplete(ctx, id, payload) {
      end(ctx, id);
      await options.onComplete?.(ctx, id, payload);
    },
  };
}
