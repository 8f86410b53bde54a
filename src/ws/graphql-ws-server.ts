import { context as otelContext } from '@opentelemetry/api';
import {
  getOperationAST,
  GraphQLError,
  subscribe,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from '../../core/logger.js';
import type { Authenticator } from '../auth.js';
import type { ErrorFormatter } from '../errors.js';
import type { Admission } from '../graphql/admission.js';
import type { Context } from '../graphql/context.js';
import { tasksWithin } from '../graphql/operation-span.js';
import { documentAskOf, type TrustedDocument, type TrustedDocuments } from '../graphql/trusted-documents.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import { limitKey, type Caller } from '../tasks/caller.js';
import type { ScheduleService } from '../tasks/schedule-service.js';
import type { TaskService } from '../tasks/task-service.js';
import type { DocumentCache, PreparedDocument } from './document-cache.js';
import { documentIdReviver } from './document-id-reviver.js';
import {
  ClientCounts,
  SocketOperations,
  StartedStreams,
  type Feed,
  type PerClientCounts,
  type SocketExtra,
} from './socket-operations.js';
import { subscriptionField } from './subscription-field.js';
import { operationSpanOf, tracedOperations } from './traced-operations.js';

export interface OperationLimits {
  /** Operations (mostly subscriptions) one socket may have running at once. */
  maxSubscriptionsPerSocket: number;
  /** The same over all of one client's sockets. */
  maxSubscriptionsPerClient: number;
  /**
   * taskUpdated subscriptions over all of one client's sockets; and as many workersChanged, counted
   * apart (each sends every subscriber every change of the service as a whole).
   */
  maxTaskUpdatedPerClient: number;
}

const feeds: ReadonlySet<string> = new Set<Feed>(['taskUpdated', 'workersChanged']);

export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  tasks: TaskService;
  schedules: ScheduleService;
  /** Reads the token in connection_init's payload (`{ "authorization": "Bearer <token>" }`). */
  auth: Authenticator;
  /** Operation texts parsed and validated once, with the same rules and limits as over HTTP. */
  documents: DocumentCache;
  /** The manifests' documents, served by id (`documentId`, or `extensions.persistedQuery`). */
  trustedDocuments: TrustedDocuments;
  admission: Admission;
  /** Formats errors exactly as Apollo does over HTTP. */
  formatErrors: ErrorFormatter;
  limits: OperationLimits;
  /** A socket that has not sent connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
  metrics: ApiMetrics;
  /** A span for each operation (traces on). */
  traces?: boolean;
  logger: Logger;
}

function tooMany(what: string, limit: number, code: string): GraphQLError[] {
  return [
    new GraphQLError(`Too many ${what}: at most ${limit} at once; complete one first`, { extensions: { code, limit } }),
  ];
}

function idStillEnding(id: string): GraphQLError {
  return new GraphQLError(
    `Operation id "${id}" is still in use: the operation this client completed under it has not ended yet; give a new operation a new id`,
    { extensions: { code: 'BAD_REQUEST' } },
  );
}

/** A close reason may hold 123 bytes. */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 120).toString()}...`;
}

/** What graphql-js, and so Apollo over HTTP, answers when the operation to run is not clear. */
function unknownOperation(operationName: string | null | undefined): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName}".`
    : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
}

/** A trusted document as the document cache answers a text: ready, or refused by the cost limits. */
function preparedTrusted({ document, refusals }: TrustedDocument): PreparedDocument {
  return refusals.length > 0 ? { errors: [...refusals] } : { document };
}

function isAsyncIterable(value: object): value is AsyncIterable<ExecutionResult> {
  return Symbol.asyncIterator in value;
}

/**
 * graphql-transport-ws through graphql-ws's own server (`makeServer`), extended by its hooks:
 * `onConnect` accepts the token or refuses the socket (4403); `onSubscribe` hands over the cached,
 * validated and cost-checked document (or the trusted document a payload names by id) with the
 * socket's context, enforces the limits on operations,
 * admits the operation as HTTP does, and starts a subscription's source stream itself so that a
 * subscription that cannot start is answered with an `error` message; `onNext` and `onError`
 * format errors as Apollo does over HTTP; `onComplete` ends the socket's own record of the operation.
 */
export function createGraphqlWsServer({
  schema,
  tasks,
  schedules,
  auth,
  documents,
  trustedDocuments,
  admission,
  formatErrors,
  limits,
  connectionInitTimeoutMs,
  metrics,
  traces = false,
  logger,
}: GraphqlWsOptions) {
  const perClient: PerClientCounts = {
    all: new ClientCounts(),
    taskUpdated: new ClientCounts(),
    workersChanged: new ClientCounts(),
  };
  const started = new StartedStreams();

  const options: ServerOptions<Record<string, unknown> | undefined, SocketExtra> = {
    schema,
    connectionInitWaitTimeout: connectionInitTimeoutMs,
    // A subscribe message may name a persisted document instead of holding a query.
    jsonMessageReviver: documentIdReviver,

    async onConnect({ connectionParams, extra }) {
      let caller: Caller;
      try {
        const owner = await auth.ownerOf(connectionParams?.authorization ?? connectionParams?.Authorization);
        caller = { client: extra.address, owner };
      } catch (error) {
        // graphql-ws's own answer to a refused connection (4403), with the service's reason (the
        // authenticator's UNAUTHENTICATED message), never what a library threw.
        const reason = error instanceof GraphQLError ? error.message : 'The token was refused';
        extra.socket.close(CloseCode.Forbidden, closeReason(`Forbidden: ${reason}`));
        return false;
      }
      extra.context = { tasks, schedules, caller };
      extra.operations = new SocketOperations(limitKey(caller), perClient, logger, metrics);
      return true;
    },

    async onSubscribe({ extra }, id, payload) {
      // Taken before the first await: the span traced-operations.ts started for this operation.
      const span = operationSpanOf(otelContext.active());
      const { context, operations } = extra;
      if (!context || !operations) return [new GraphQLError('The connection is not acknowledged')];
      // graphql-ws closes the socket (4409) for an id still running; this one the client completed,
      // and graphql-ws has let it go, but the operation is still ending (being set up, or returning
      // its stream): the client's race, answered as its mistake rather than as the service's.
      if (operations.has(id)) return [idStillEnding(id)];
      // By id, or refused, before any text of the client's is parsed; else the text, as always.
      const resolution = trustedDocuments.resolve(documentAskOf(payload), { apq: false });
      if (resolution.kind === 'refused') return [resolution.error];
      const prepared =
        resolution.kind === 'trusted' ? preparedTrusted(resolution.trusted) : documents.get(payload.query);
      if ('errors' in prepared) return prepared.errors;
      const operation = getOperationAST(prepared.document, payload.operationName);
      if (!operation) return [unknownOperation(payload.operationName)];
      // The field as the subscription asks for it, through any fragment it is spread from.
      const field = operation.operation === 'subscription' ? subscriptionField(prepared.document, operation) : null;
      const feed = field !== null && feeds.has(field) ? (field as Feed) : null;
      if (operations.running >= limits.maxSubscriptionsPerSocket) {
        return tooMany('subscriptions on this connection', limits.maxSubscriptionsPerSocket, 'TOO_MANY_SUBSCRIPTIONS');
      }
      if (operations.runningForClient(null) >= limits.maxSubscriptionsPerClient) {
        return tooMany('subscriptions for this client', limits.maxSubscriptionsPerClient, 'TOO_MANY_SUBSCRIPTIONS');
      }
      if (feed && operations.runningForClient(feed) >= limits.maxTaskUpdatedPerClient) {
        return tooMany(
          `${feed} subscriptions for this client`,
          limits.maxTaskUpdatedPerClient,
          'TOO_MANY_SUBSCRIPTIONS',
        );
      }

      // Counted from here, while it is admitted and set up, so that what waits counts too.
      operations.begin(id, { feed });
      const answer = await admission.admit({
        document: prepared.document,
        operationName: payload.operationName,
        variables: payload.variables,
        caller: context.caller,
      });
      if ('refused' in answer) {
        operations.ended(id);
        return [answer.refused];
      }
      const operationContext: Context = {
        ...context,
        // Before the stream starts, so that what its resolvers call is the operation's child too.
        tasks: span ? tasksWithin(context.tasks, span) : context.tasks,
        admitted: answer.admitted,
      };
      const args: ExecutionArgs = {
        schema,
        document: prepared.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: operationContext,
      };
      if (operation.operation !== 'subscription') return args;

      // The subscription is started here, by graphql-js's own subscribe(), rather than by graphql-ws,
      // so that one that cannot start (an unknown task) is answered with an error message; the
      // `subscribe` option below hands graphql-ws the stream it started.
      const result = await subscribe(args);
      if (!isAsyncIterable(result)) {
        operations.ended(id);
        return result.errors ? [...result.errors] : [new GraphQLError('The subscription did not start')];
      }
      const stream = result[Symbol.asyncIterator]();
      // false only when the socket closed meanwhile: the stream has been returned, nothing is sent.
      if (!operations.started(id, stream, field ?? 'unknown')) return [new GraphQLError('The connection closed')];
      return started.hold(args, stream);
    },

    subscribe(args) {
      return started.take(args);
    },

    // Once a query or mutation has run (a subscription, once it has started): what admission held
    // for it goes back before its answer is sent.
    async onOperation(_ctx, _id, _payload, args) {
      await (args.contextValue as Context).admitted?.release();
    },

    onNext(_ctx, _id, _payload, _args, result) {
      return result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined;
    },

    onError(_ctx, _id, _payload, errors) {
      return formatErrors(errors);
    },

    onComplete({ extra }, id) {
      extra.operations?.ended(id);
    },
  };
  return makeServer(traces ? tracedOperations(options) : options);
}
