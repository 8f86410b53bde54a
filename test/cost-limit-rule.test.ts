import {
  getIntrospectionQuery,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import * as generated from '../client/src/graphql/generated/graphql.js';
import { exampleTabs } from '../client/src/playground/examples.js';
import { MAX_PARTITIONS } from '../core/config.js';
import { MAX_PAGE_SIZE } from '../core/limits.js';
import { taskKinds } from '../core/task-kinds/index.js';
import { MAX_NUMBERS } from '../tasks/calculation.js';
import { parseApiConfig } from '../src/config.js';
import { costLimitRule, type CostLimits } from '../src/graphql/cost-limit-rule.js';
import { listBoundOf, MAX_WORKERS } from '../src/graphql/list-bound.js';
import { measureOperations, operationCost } from '../src/graphql/operation-cost.js';
import { buildTaskSchema } from '../src/graphql/schema.js';
import * as operations from './support/operations.js';

/** The service's limits, as configured by default. */
const defaultLimits = parseApiConfig().limits;

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildTaskSchema();
});

/** The cost of the only operation of `query`. */
const costOf = (query: string) => operationCost(schema, parse(query));

/** Our rule's errors, with the service's limits unless told otherwise. */
function errorsOf(query: string, limits: Partial<CostLimits> = {}) {
  return validate(schema, parse(query), [costLimitRule({ ...defaultLimits, ...limits })]).map((error) => ({
    message: error.message,
    ...(error.extensions.costLimit as { limit: string; actual: number; field?: string }),
  }));
}

const limitsHit = (query: string, limits: Partial<CostLimits> = {}) => errorsOf(query, limits).map((e) => e.limit);

const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');

describe('the cost of an operation', () => {
  it('should count a page of tasks as its literal first, its default when left out, else the largest page', () => {
    // tasks 1, totalCount 1, nodes 5, and each node's id and name.
    expect(costOf('{ tasks(first: 5) { totalCount nodes { id name } } }')).toBe(1 + 1 + 5 * (1 + 2));
    expect(costOf('{ tasks { nodes { id } } }')).toBe(1 + 20 * 2); // the schema's default page
    const fullPage = 1 + MAX_PAGE_SIZE * 2;
    // A validation rule cannot see variables, and a client may always send the largest page.
    expect(costOf('query ($first: Int) { tasks(first: $first) { nodes { id } } }')).toBe(fullPage);
    expect(costOf('query ($first: Int = 5) { tasks(first: $first) { nodes { id } } }')).toBe(fullPage);
    // A page past the largest is refused when it runs, and reads no more than the largest.
    expect(costOf('{ tasks(first: 1000) { nodes { id } } }')).toBe(fullPage);
    // Only the list is multiplied, not the fields beside it.
    expect(costOf('{ tasks(first: 50) { totalCount pageInfo { hasNextPage endCursor } } }')).toBe(1 + 1 + 3);
  });

  it("should count a task's numbers as MAX_NUMBERS, times the page of tasks above them", () => {
    expect(costOf('{ task(id: "x") { ... on CalculationTask { numbers } } }')).toBe(1 + MAX_NUMBERS);
    expect(costOf('{ tasks(first: 10) { nodes { ... on CalculationTask { numbers } } } }')).toBe(
      1 + 10 * (1 + MAX_NUMBERS),
    );
    expect(
      costOf('query ($first: Int) { tasks(first: $first) { nodes { ... on CalculationTask { numbers } } } }'),
    ).toBe(1 + MAX_PAGE_SIZE * (1 + MAX_NUMBERS));
  });

  it('should count the workers as MAX_WORKERS, and introspection lists once', () => {
    expect(costOf('{ workers { name taskNames } }')).toBe(MAX_WORKERS * (1 + 2));
    expect(costOf('{ __schema { types { name fields { name } } } }')).toBe(1 + 1 + 1 + 1 + 1);
  });

  it('should count the queues once per partition the schema is served for, or as MAX_PARTITIONS', async () => {
    const query = parse('{ queues { name paused prioritized } }');
    expect(operationCost(await buildTaskSchema({ partitions: 1 }), query)).toBe(1 + 3);
    expect(operationCost(await buildTaskSchema({ partitions: 12 }), query)).toBe(12 * (1 + 3));
    // Built without them, as schema.graphql is: the most a deployment may have, never fewer.
    expect(operationCost(schema, query)).toBe(MAX_PARTITIONS * (1 + 3));
  });

  it('should multiply a fragment spread inside a list by that list, and count it each time it is spread', () => {
    const fragment = 'fragment F on Task { id ... on CalculationTask { numbers } }';
    const perTask = 1 + 1 + MAX_NUMBERS; // a node, its id, its numbers
    expect(costOf(`{ tasks(first: 10) { nodes { ...F } } } ${fragment}`)).toBe(1 + 10 * perTask);
    expect(costOf(`{ tasks(first: 10) { nodes { ...F ...F } } } ${fragment}`)).toBe(1 + 10 * (perTask + perTask - 1));
    // Measured once, spread into pages of two sizes.
    expect(costOf(`{ a: tasks(first: 2) { nodes { ...F } } b: tasks(first: 3) { nodes { ...F } } } ${fragment}`)).toBe(
      1 + 2 * perTask + 1 + 3 * perTask,
    );
    // A fragment is measured once for every place it is spread: its own list of nodes is a full page.
    expect(costOf('{ tasks(first: 10) { ...Page } } fragment Page on TaskConnection { nodes { id } }')).toBe(
      1 + MAX_PAGE_SIZE * 2,
    );
  });

  it('should measure a fragment bomb at once, its cost growing past 2^53 only less precise', () => {
    const doubling = Array.from({ length: 60 }, (_, i) => `fragment F${i + 1} on Task { ...F${i} ...F${i} }`);
    const bomb = `{ tasks(first: 100) { nodes { ...F60 } } }
      fragment F0 on Task { ... on CalculationTask { numbers } }
      ${doubling.join('\n')}`;
    const started = performance.now();
    const cost = costOf(bomb);
    expect(performance.now() - started).toBeLessThan(100);
    expect(cost).toBeGreaterThan(2 ** 60 * MAX_PAGE_SIZE * MAX_NUMBERS * 0.99);
    expect(limitsHit(bomb)).toContain('maxCost');
  });

  it('should answer the operation a request names, and measure a document once', () => {
    const document = parse(`
      query Page { tasks(first: 3) { nodes { id } } }
      query Workers { workers { name } }`);
    expect(operationCost(schema, document, 'Page')).toBe(1 + 3 * 2);
    expect(operationCost(schema, document, 'Workers')).toBe(MAX_WORKERS * 2);
    expect(() => operationCost(schema, document, 'Nothing')).toThrow('The document has no operation "Nothing".');
    expect(() => operationCost(schema, document)).toThrow('The document has no operation to run.');
    expect(measureOperations(schema, document)).toBe(measureOperations(schema, document));
  });

  it('should agree with the validation rule', () => {
    const query = '{ tasks(first: 7) { nodes { id ... on CalculationTask { numbers } } } }';
    const cost = costOf(query);
    expect(limitsHit(query, { maxCost: cost })).toEqual([]);
    expect(errorsOf(query, { maxCost: cost - 1 })).toMatchObject([{ limit: 'maxCost', actual: cost }]);
  });

  it('should know the size of every list field of the schema', () => {
    const listFields: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (!isObjectType(type) && !isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (isListType(getNullableType(field.type))) listFields.push(`${type.name}.${field.name}`);
      }
    }
    const unbounded = listFields.filter((key) => {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const bound = listBoundOf(schema.getType(typeName) ?? undefined, fieldName);
      return !bound || !('items' in bound || 'itemsFrom' in bound);
    });
    expect(unbounded).toEqual([]);
  });
});

describe('the cost limit', () => {
  it('should refuse an operation over maxCost, naming the figure and the limit', () => {
    const twoPages = `query Numbers { tasks(first: 100) { nodes { ... on CalculationTask { a: numbers b: numbers c: numbers } } } }`;
    expect(errorsOf(twoPages)).toEqual([
      {
        message:
          'Operation "Numbers" costs too much, each field counted times the lists above it (30101); the limit is 25000.',
        limit: 'maxCost',
        max: 25_000,
        actual: 30_101,
      },
    ]);
    const error = validate(schema, parse(twoPages), [costLimitRule(defaultLimits)])[0]!;
    expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(limitsHit(twoPages, { maxCost: 30_101 })).toEqual([]);
  });

  it('should refuse the probe of hundreds of aliases of numbers over a page of tasks', () => {
    const probe = `{ tasks(first: 100) { nodes { ... on CalculationTask { ${aliases(440, 'numbers')} } } } }`;
    expect(errorsOf(probe)).toMatchObject([
      { limit: 'maxCost', actual: 440 * 100 * MAX_NUMBERS + 100 + 1 },
      { limit: 'maxAliasesPerField', actual: 440, field: 'numbers' },
    ]);
  });
});

describe('the limit of one field selected many times', () => {
  it('should refuse one field selected more than maxAliasesPerField times in one selection set, naming it', () => {
    expect(limitsHit(`{ workers { ${aliases(5, 'name')} } }`)).toEqual([]);
    expect(errorsOf(`{ workers { ${aliases(6, 'name')} } }`)).toEqual([
      {
        message: 'The operation selects the field "name" too many times in one selection set (6); the limit is 5.',
        limit: 'maxAliasesPerField',
        max: 5,
        actual: 6,
        field: 'name',
      },
    ]);
    // Without aliases too: the same field written again.
    expect(limitsHit('{ workers { name name name } }', { maxAliasesPerField: 2 })).toEqual(['maxAliasesPerField']);
    // At the root of a query.
    const tasks = Array.from({ length: 6 }, (_, i) => `t${i}: task(id: "${i}") { id }`).join(' ');
    expect(limitsHit(`{ ${tasks} }`)).toEqual(['maxAliasesPerField']);
  });

  it('should count the fields that fragments bring into the selection set where they are spread', () => {
    const two = 'fragment Two on Worker { a: name b: name }';
    expect(limitsHit(`{ workers { ...Two ...Two } } ${two}`)).toEqual([]);
    expect(limitsHit(`{ workers { ...Two ...Two c: name ...Two } } ${two}`)).toEqual(['maxAliasesPerField']);
    const inline = `... on CalculationTask { ${aliases(3, 'numbers')} }`;
    expect(errorsOf(`{ tasks(first: 1) { nodes { ${inline} ${inline} } } }`)).toMatchObject([
      { limit: 'maxAliasesPerField', actual: 6, field: 'numbers' },
    ]);
  });

  it('should not add up the same field in different selection sets', () => {
    const three = aliases(3, 'name');
    expect(limitsHit(`{ a: workers { ${three} } b: workers { ${three} } }`)).toEqual([]);
    expect(limitsHit(`{ task(id: "x") { id result: id ... on SleepTask { result { status } } } }`)).toEqual([]);
  });

  it("should leave a mutation's root fields to maxRootFields, and count the fields below them", () => {
    const creates = Array.from({ length: 10 }, (_, i) => `t${i}: createSleepTask(input: { duration: 1 }) { id }`);
    expect(limitsHit(`mutation { ${creates.join(' ')} }`)).toEqual([]);
    expect(limitsHit(`mutation { createSleepTask(input: { duration: 1 }) { ${aliases(6, 'id')} } }`)).toEqual([
      'maxAliasesPerField',
    ]);
  });
});

describe("the project's own operations", () => {
  /** Every operation the dashboard, the playground and the tests send, with what it costs. */
  const projectOperations = (): Record<string, DocumentNode> => {
    const documents: Record<string, DocumentNode> = {};
    for (const [name, value] of Object.entries(generated)) {
      // The fragment alone is no operation; every operation below spreads it.
      if (name.endsWith('Document')) documents[`dashboard ${name}`] = value as DocumentNode;
    }
    exampleTabs.forEach((tab, i) => (documents[`playground tab ${i + 1}`] = parse(tab.query)));
    for (const [name, value] of Object.entries(operations)) {
      if (typeof value === 'string' && name !== 'TASK_FIELDS') documents[`tests ${name}`] = parse(value);
    }
    // The fullest list a test could send: every field of a page of tasks, numbers included.
    documents['tests full list'] = parse(
      `query ($first: Int) { tasks(first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { ${operations.TASK_FIELDS} } } }`,
    );
    documents['introspection'] = parse(getIntrospectionQuery());
    documents['introspection with every option'] = parse(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    );
    return documents;
  };

  it('should all pass every rule with the default limits', () => {
    const rules = [...specifiedRules, costLimitRule(defaultLimits)];
    for (const [name, document] of Object.entries(projectOperations())) {
      expect(validate(schema, document, rules), name).toEqual([]);
    }
  });

  it('should cost what the rule says they cost, well under maxCost', () => {
    const costs = Object.fromEntries(
      Object.entries(projectOperations()).map(([name, document]) => [name, operationCost(schema, document)]),
    );
    expect(costs).toEqual({
      'dashboard TasksDocument': 448,
      'dashboard WorkersChangedDocument': 900,
      'dashboard TaskHistoryDocument': 361,
      // The list of kinds, one per file of tasks/, each of 7 fields.
      'dashboard TaskKindsDocument': 1 + 8 * taskKinds.length,
      'dashboard PlaygroundTaskKindsDocument': 1 + 8 * taskKinds.length,
      'dashboard CreateTaskDocument': 23,
      'dashboard CreateTaskScheduleDocument': 16,
      'dashboard CancelTaskDocument': 23,
      'dashboard RetryTaskDocument': 24,
      'dashboard DeleteTaskDocument': 2,
      'dashboard DeleteTaskScheduleDocument': 2,
      'dashboard QueuesDocument': 1_537,
      'dashboard TaskLogsDocument': 504,
      'dashboard TaskProgressDocument': 22,
      'dashboard TaskSchedulesDocument': 1_501,
      'dashboard TaskDetailDocument': 1_324,
      'dashboard TaskUpdatedDocument': 22,
      'playground tab 1': 4,
      'playground tab 2': 8,
      'playground tab 3': 365,
      'playground tab 4': 6,
      'playground tab 5': 83,
      'playground tab 6': 6,
      'playground tab 7': 2_816,
      'tests CREATE_SLEEP': 18,
      'tests CREATE_CALCULATION': 120,
      'tests GET_TASK': 123,
      'tests LIST_TASKS': 505,
      'tests CANCEL_TASK': 123,
      'tests DELETE_TASK': 1,
      'tests TASK_PROGRESS': 123,
      'tests TASK_UPDATED': 123,
      'tests WORKERS': 800,
      'tests RETRY_TASK': 124,
      'tests GET_TIMELINE': 704,
      'tests QUEUES': 2_816,
      'tests TASK_HISTORY': 300,
      'tests WORKERS_CHANGED': 700,
      'tests full list': 12_305,
      introspection: 220,
      'introspection with every option': 230,
    });
    expect(Math.max(...Object.values(costs)) * 2).toBeLessThan(defaultLimits.maxCost);
  });
});
