import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationTypeNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { listBoundOf, partitionsOf, type ListBound } from './list-bound.js';

/** A field selected more than once in one selection set, under aliases or not. */
export interface RepeatedField {
  field: string;
  count: number;
}

/** The shape of one operation, as the cost limits see it (see cost-limit-rule.ts). */
export interface OperationMeasure {
  /** Nesting of fields; a root field is at depth 1. */
  depth: number;
  /** Fields at the root, each alias counting as one. */
  rootFields: number;
  /** Fields in all, every fragment counted each time it is spread. */
  fields: number;
  /**
   * Each field times the sizes of the lists it sits in, its own included: how many values the
   * answer holds at most. A list of `n` items counts `n` and multiplies everything below it by `n`.
   */
  cost: number;
  /**
   * The field selected most often in one selection set; null when none is selected twice. A
   * mutation's root aside: each of its fields is a write of its own, asked for on purpose (ten tasks
   * created in one request), and maxRootFields bounds them.
   */
  mostRepeated: RepeatedField | null;
}

/** One selection set (or fragment) measured; counts are per object it is selected on. */
interface Measure {
  depth: number;
  /** Fields at this level, with the fragments spread here, each alias counting as one. */
  fieldsHere: number;
  fields: number;
  cost: number;
  /** Each field name at this level, with the fragments spread here: closed by the field above. */
  selected: Map<string, number>;
  /** The worst of the levels below, already closed. */
  mostRepeated: RepeatedField | null;
}

const measures = new WeakMap<
  DocumentNode,
  { schema: GraphQLSchema; operations: Map<OperationDefinitionNode, OperationMeasure> }
>();

/**
 * Every operation of a document measured, once per document and schema: the validation rule and
 * operationCost share the result. Fragments are measured once each and remembered, so a document
 * whose fragments spread each other twice over (exponential when expanded) takes linear time;
 * numbers that grow past 2^53 only get less precise.
 */
export function measureOperations(
  schema: GraphQLSchema,
  document: DocumentNode,
): ReadonlyMap<OperationDefinitionNode, OperationMeasure> {
  const known = measures.get(document);
  if (known?.schema === schema) return known.operations;
  const operations = measureDocument(schema, document);
  measures.set(document, { schema, operations });
  return operations;
}

/**
 * The cost of the operation a request selects (see OperationMeasure.cost), for charging it against a
 * budget. The document is expected to be valid; measured once, so asking again is a lookup.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): number {
  const operation = getOperationAST(document, operationName);
  const measure = operation && measureOperations(schema, document).get(operation);
  if (!measure) throw new Error(`The document has no operation ${operationName ? `"${operationName}"` : 'to run'}.`);
  return measure.cost;
}

/** What a leaf field, an unknown fragment or a cycle adds below it; shared, and never changed. */
const empty: Measure = { depth: 0, fieldsHere: 0, fields: 0, cost: 0, selected: new Map(), mostRepeated: null };

const worse = (a: RepeatedField | null, b: RepeatedField | null) => (!a || (b && b.count > a.count) ? b : a);

function mostSelected(selected: Map<string, number>): RepeatedField | null {
  let most: RepeatedField | null = null;
  for (const [field, count] of selected) if (count > 1 && count > (most?.count ?? 0)) most = { field, count };
  return most;
}

/** The items of a list field: its bound, or the page the connection above it chose. */
function listItems(
  schema: GraphQLSchema,
  bound: ListBound | undefined,
  page: number | undefined,
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
): number {
  if (bound && 'itemsFrom' in bound) return bound.itemsFrom(field, definition);
  // Introspection's lists: the schema bounds them, and the whole schema is small.
  if (!bound || !('items' in bound)) return 1;
  if (bound.items === 'partitions') return partitionsOf(schema);
  return bound.items === 'page' ? (page ?? bound.largest) : bound.items;
}

function measureDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
): Map<OperationDefinitionNode, OperationMeasure> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // null while a fragment is being measured: a cycle counts as nothing (NoFragmentCyclesRule reports it).
  const measured = new Map<string, Measure | null>();

  /** The field `name` of `type`, the introspection fields included; undefined when there is none. */
  function fieldOf(type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name && isCompositeType(type)) return TypeNameMetaFieldDef;
    if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
    if (type === schema.getQueryType() && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (type === schema.getQueryType() && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    return type.getFields()[name];
  }

  function measureFragment(name: string): Measure {
    const known = measured.get(name);
    if (known !== undefined) return known ?? empty;
    const fragment = fragments.get(name);
    if (!fragment) return empty; // KnownFragmentNamesRule reports it
    measured.set(name, null);
    // Measured without the page of a connection above: a fragment's list of nodes counts as a full page.
    const measure = measureSelections(
      fragment.selectionSet,
      schema.getType(fragment.typeCondition.name.value),
      undefined,
    );
    measured.set(name, measure);
    return measure;
  }

  /** `page`: the size of the page the connection field above chose, for its list of nodes. */
  function measureSelections(
    selectionSet: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    page: number | undefined,
  ): Measure {
    const measure: Measure = { ...empty, selected: new Map() };
    const add = (name: string, count: number) => measure.selected.set(name, (measure.selected.get(name) ?? 0) + count);
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition = fieldOf(type, name);
        const bound = definition && listBoundOf(type, name);
        const items =
          definition && isListType(getNullableType(definition.type))
            ? listItems(schema, bound, page, selection, definition)
            : 1;
        const innerPage = bound && 'page' in bound ? bound.page(selection, definition) : undefined;
        const inner = selection.selectionSet
          ? measureSelections(selection.selectionSet, definition && getNamedType(definition.type), innerPage)
          : empty;
        measure.depth = Math.max(measure.depth, 1 + inner.depth);
        measure.fieldsHere += 1;
        measure.fields += 1 + inner.fields;
        measure.cost += items * (1 + inner.cost);
        // Only fields the type has: a name it lacks is an error of its own (FieldsOnCorrectTypeRule), and
        // this keeps each level's count as small as the schema.
        if (definition) add(name, 1);
        measure.mostRepeated = worse(measure.mostRepeated, worse(inner.mostRepeated, mostSelected(inner.selected)));
      } else {
        // Fragments add no level: their fields sit where they are spread.
        const inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? measureSelections(
                selection.selectionSet,
                selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type,
                page,
              )
            : measureFragment(selection.name.value);
        measure.depth = Math.max(measure.depth, inner.depth);
        measure.fieldsHere += inner.fieldsHere;
        measure.fields += inner.fields;
        measure.cost += inner.cost;
        for (const [name, count] of inner.selected) add(name, count);
        measure.mostRepeated = worse(measure.mostRepeated, inner.mostRepeated);
      }
    }
    return measure;
  }

  const operations = new Map<OperationDefinitionNode, OperationMeasure>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation) ?? undefined;
    const measure = measureSelections(definition.selectionSet, root, undefined);
    operations.set(definition, {
      depth: measure.depth,
      rootFields: measure.fieldsHere,
      fields: measure.fields,
      cost: measure.cost,
      mostRepeated:
        definition.operation === OperationTypeNode.MUTATION
          ? measure.mostRepeated
          : worse(measure.mostRepeated, mostSelected(measure.selected)),
    });
  }
  return operations;
}
