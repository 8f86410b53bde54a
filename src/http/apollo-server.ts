import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Logger } from '../../core/logger.js';
import { formatError } from '../errors.js';
import type { Admission } from '../graphql/admission.js';
import type { Context } from '../graphql/context.js';
import { noSubscriptionsOverHttp } from '../graphql/no-subscriptions-over-http.js';
import { createDocumentStore } from './document-store.js';
import type { TrustedDocuments } from '../graphql/trusted-documents.js';
import { drainHttpServerPlugin } from './drain-http-server.js';
import { trustedDocumentsPlugin } from './trusted-documents-plugin.js';

export interface ApolloServerOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  /** The rules both transports apply after graphql-js's own (cost limits). */
  validationRules: readonly ValidationRule[];
  /** Tokens a document may hold; parsing stops past them. */
  maxTokens: number;
  admission: Admission;
  /** The manifests' documents, served by id; with TRUSTED_DOCUMENTS=only, Apollo's own APQ is off too. */
  trustedDocuments: TrustedDocuments;
  includeStacktrace: boolean;
  /** More plugins, after the service's own. */
  plugins?: readonly ApolloServerPlugin<Context>[];
  logger: Logger;
}

/**
 * Admits every operation as a whole once Apollo knows which it is, before any of it runs, and gives
 * back what admission held for it once it has run (before its answer is sent, so that the caller's
 * next request finds it given back).
 */
function admissionPlugin(admission: Admission): ApolloServerPlugin<Context> {
  // One listener for all requests: what it admits stays with the request's own context.
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ document, operationName, request, contextValue }) {
      const answer = await admission.admit({
        document,
        operationName,
        variables: request.variables,
        caller: contextValue.caller,
      });
      if ('refused' in answer) throw answer.refused;
      contextValue.admitted = answer.admitted;
    },
    async willSendResponse({ contextValue }) {
      await contextValue.admitted?.release();
    },
  };
  return { requestDidStart: async () => listener };
}

/** Apollo Server as the service runs it: its whole pipeline, nothing sent anywhere, no landing page. */
export function createApolloServer({
  schema,
  httpServer,
  validationRules,
  maxTokens,
  admission,
  trustedDocuments,
  includeStacktrace,
  plugins = [],
  logger,
}: ApolloServerOptions): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    documentStore: createDocumentStore(),
    // Automatic persisted queries register whatever text a client sends: none is run in `only` mode.
    persistedQueries: trustedDocuments.mode === 'only' ? false : undefined,
    plugins: [
      drainHttpServerPlugin(httpServer),
      // Its default loads Apollo Sandbox from a CDN; the project serves its own GraphiQL.
      ApolloServerPluginLandingPageDisabled(),
      // Its hooks run for every field, for cache hints this schema never gives: every answer is
      // uncacheable, and the HTTP handler says so itself (no-store). BENCHMARKS.md has its cost.
      ApolloServerPluginCacheControlDisabled(),
      // Nothing leaves the machine, even with an APOLLO_KEY in the environment.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      trustedDocumentsPlugin(),
      admissionPlugin(admission),
      ...plugins,
    ],
    logger,
    // The entry point owns the signals and closes everything in order.
    stopOnTerminationSignals: false,
    // The playground and typed clients read the schema; it is public anyway (schema.graphql).
    introspection: true,
    parseOptions: { maxTokens },
    validationRules: [...validationRules, noSubscriptionsOverHttp],
    formatError,
    includeStacktraceInErrorResponses: includeStacktrace,
  });
}
