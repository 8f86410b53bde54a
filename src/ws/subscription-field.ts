import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * The root field a subscription asks for (a subscription has one), found through the fragments it
 * may be spread from: `subscription { ...F }` asks for F's field.
 */
export function subscriptionField(document: DocumentNode, operation: OperationDefinitionNode): string {
  const seen = new Set<string>();
  const inSet = ({ selections }: SelectionSetNode): string | null => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) return selection.name.value;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const field = inSet(selection.selectionSet);
        if (field) return field;
        continue;
      }
      const name = selection.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = document.definitions.find(
        (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
      );
      const field = fragment?.kind === Kind.FRAGMENT_DEFINITION ? inSet(fragment.selectionSet) : null;
      if (field) return field;
    }
    return null;
  };
  return inSet(operation.selectionSet) ?? 'unknown';
}
