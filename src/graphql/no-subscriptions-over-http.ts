import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Over HTTP a subscription would run its resolver once, without an event, and fail obscurely:
 * refuse it before anything runs (400), and say where subscriptions are served.
 */
export const noSubscriptionsOverHttp: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    context.reportError(
      new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP', {
        nodes: node,
      }),
    );
  },
});
