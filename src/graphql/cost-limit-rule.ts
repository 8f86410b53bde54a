import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';
import { measureOperations } from './operation-cost.js';

/**
 * Limits on the shape of one operation, checked before anything runs (over HTTP and graphql-ws
 * alike), so that a single small request cannot make the service do a lot of work: hundreds of
 * aliased mutations, a selection nested (through introspection's `ofType`) as deep as it likes, or
 * a few kilobytes of aliases over a page of tasks that would answer tens of megabytes.
 */
export interface CostLimits {
  /** Nesting of fields; a root field is at depth 1. */
  maxDepth: number;
  /** Fields at the root of an operation, each alias counting as one: mutations a request may run. */
  maxRootFields: number;
  /** Fields in the whole operation, every fragment counted each time it is spread. */
  maxFields: number;
  /**
   * Each field times the sizes of the lists above it, its own included (list-bound.ts says how long
   * each list may be): the values the answer may hold.
   */
  maxCost: number;
  /** Times one field may be selected in one selection set, under aliases or not, fragments included. */
  maxAliasesPerField: number;
}

/**
 * One graphql-js validation rule for all the limits, measured by operation-cost.ts (linear in the
 * document's size, once per document). It runs once per operation text, before variables are known:
 * a page size given as a variable counts as the largest page.
 *
 * What the project's own operations cost (test/cost-limit-rule.test.ts keeps these figures): the
 * dashboard's list of tasks, `first` a variable and so a full page, 12,405, of which 10,000 are the
 * tasks' `numbers`; the tests' fullest list 12,305; the dashboard's workers 700, its queues 5 per
 * partition (1,280 at the most partitions there may be), its hour of history 300, its detail of one
 * task with its timeline 825 (700 of them the timeline); the playground's list of ten tasks with the
 * workers 365; one task with all its fields 124 (100 of them its numbers); the
 * standard introspection query 220 to 229, as introspection's lists count once. None selects a field
 * more than twice in one selection set.
 */
export function costLimitRule(limits: CostLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const measures = measureOperations(context.getSchema(), context.getDocument());
    return {
      OperationDefinition(operation) {
        const measure = measures.get(operation);
        if (!measure) return false;
        const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
        const report = (limit: keyof CostLimits, actual: number, what: string, detail: object = {}) =>
          context.reportError(
            new GraphQLError(`${name} ${what} (${actual}); the limit is ${limits[limit]}.`, {
              nodes: [operation],
              // The same code Apollo gives every validation error, so HTTP and graphql-ws answer alike.
              extensions: {
                code: 'GRAPHQL_VALIDATION_FAILED',
                costLimit: { limit, max: limits[limit], actual, ...detail },
              },
            }),
          );
        if (measure.rootFields > limits.maxRootFields) {
          report('maxRootFields', measure.rootFields, 'asks for too many root fields or aliases');
        }
        if (measure.depth > limits.maxDepth) report('maxDepth', measure.depth, 'is nested too deeply');
        if (measure.fields > limits.maxFields) report('maxFields', measure.fields, 'asks for too many fields');
        if (measure.cost > limits.maxCost) {
          report('maxCost', measure.cost, 'costs too much, each field counted times the lists above it');
        }
        const repeated = measure.mostRepeated;
        if (repeated && repeated.count > limits.maxAliasesPerField) {
          const what = `selects the field "${repeated.field}" too many times in one selection set`;
          report('maxAliasesPerField', repeated.count, what, { field: repeated.field });
        }
        // Measured once per document; nothing below needs visiting again.
        return false;
      },
    };
  };
}
