import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Limits on the shape of one operation, checked before anything runs (over HTTP and graphql-ws
 * alike), so that a single small request cannot make the service do a lot of work: hundreds of
 * aliased mutations, or a selection nested (through introspection's `ofType`) as deep as it likes.
 */
export interface CostLimits {
  /** Nesting of fields; a root field is at depth 1. */
  maxDepth: number;
  /** Fields at the root of an operation, each alias counting as one: mutations a request may run. */
  maxRootFields: number;
  /** Fields in the whole operation, every fragment counted each time it is spread. */
  maxFields: number;
}

interface Measure {
  depth: number;
  rootFields: number;
  fields: number;
}

const nothing: Measure = { depth: 0, rootFields: 0, fields: 0 };

/**
 * One graphql-js validation rule for all three limits. Fragments are measured once each and
 * remembered, so a document whose fragments spread each other twice over (exponential when
 * expanded) is measured in linear time; numbers that grow past 2^53 only get less precise.
 */
export function costLimitRule(limits: CostLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // null while a fragment is being measured: a cycle counts as nothing (NoFragmentCyclesRule reports it).
    const measured = new Map<string, Measure | null>();

    function measureFragment(name: string): Measure {
      const known = measured.get(name);
      if (known !== undefined) return known ?? nothing;
      const fragment = fragments.get(name);
      if (!fragment) return nothing; // KnownFragmentNamesRule reports it
      measured.set(name, null);
      const measure = measureSelections(fragment.selectionSet);
      measured.set(name, measure);
      return measure;
    }

    function measureSelections(selectionSet: SelectionSetNode): Measure {
      let depth = 0;
      let rootFields = 0;
      let fields = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const inner = selection.selectionSet ? measureSelections(selection.selectionSet) : nothing;
          depth = Math.max(depth, 1 + inner.depth);
          rootFields += 1;
          fields += 1 + inner.fields;
        } else {
          // Fragments add no level: their fields sit where they are spread.
          const inner =
            selection.kind === Kind.INLINE_FRAGMENT
              ? measureSelections(selection.selectionSet)
              : measureFragment(selection.name.value);
          depth = Math.max(depth, inner.depth);
          rootFields += inner.rootFields;
          fields += inner.fields;
        }
      }
      return { depth, rootFields, fields };
    }

    return {
      OperationDefinition(operation) {
        const measure = measureSelections(operation.selectionSet);
        const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
        const report = (limit: keyof CostLimits, actual: number, what: string) =>
          context.reportError(
            new GraphQLError(`${name} ${what} (${actual}); the limit is ${limits[limit]}.`, {
              nodes: [operation],
              // The same code Apollo gives every validation error, so HTTP and graphql-ws answer alike.
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', costLimit: { limit, max: limits[limit], actual } },
            }),
          );
        if (measure.rootFields > limits.maxRootFields) {
          report('maxRootFields', measure.rootFields, 'asks for too many root fields or aliases');
        }
        if (measure.depth > limits.maxDepth) report('maxDepth', measure.depth, 'is nested too deeply');
        if (measure.fields > limits.maxFields) report('maxFields', measure.fields, 'asks for too many fields');
        // Measured once per operation; nothing below needs visiting again.
        return false;
      },
    };
  };
}
