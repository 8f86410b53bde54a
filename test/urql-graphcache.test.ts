import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, type Client } from '@urql/core';
import { onEnd, pipe, subscribe } from 'wonka';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUrqlClient } from '../client/src/graphql/urql.js';
import { createTestStack, projectDir, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const readme = readFileSync(join(projectDir, 'README.md'), 'utf8');
/** The page that shows the urql client. */
const graphqlApiPage = readFileSync(join(projectDir, 'docs/graphql-api.md'), 'utf8');

/** The README's `subscription Watch` block, as a reader would copy it. */
function readmeWatch(): string {
  const block = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((text) => text.startsWith('subscription Watch('));
  if (!block) throw new Error('README.md has no `subscription Watch` block');
  return block;
}

interface WatchedTask {
  id: string;
  state: string;
  progress: number;
  current: number;
  total: number;
  result: { status?: string; value?: string } | null;
}

interface Received {
  events: (WatchedTask | null)[];
  errors: unknown[];
  ended: Promise<void>;
  stop(): void;
}

/** Subscribes with urql, and records what it hands the application. */
function watch(client: Client, id: string): Received {
  const received: Received = { events: [], errors: [], ended: Promise.resolve(), stop: () => undefined };
  received.ended = new Promise((resolve) => {
    received.stop = pipe(
      client.subscription<{ taskProgress: WatchedTask | null }>(gql(readmeWatch()), { id }),
      onEnd(resolve),
      subscribe((result) => {
        if (result.error) received.errors.push(result.error);
        // urql repeats the last result with hasNext false to say the subscription is over.
        if (result.hasNext !== false) received.events.push(result.data?.taskProgress ?? null);
      }),
    ).unsubscribe;
  });
  return received;
}

describe("the README's Watch subscription through urql with graphcache and graphql-ws", () => {
  let stack: TestStack;
  let api: TestApi;
  let urql: ReturnType<typeof createUrqlClient>;

  beforeEach(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    urql = createUrqlClient(`${api.url}/graphql`, WebSocket);
  });

  afterEach(async () => {
    await urql.close();
    await stack.close();
  });

  it('should be the code docs/graphql-api.md shows', () => {
    const code = readFileSync(join(projectDir, 'client/src/graphql/urql.ts'), 'utf8');
    expect(graphqlApiPage).toContain('```ts\n' + code + '```');
  });

  it('should hand over the snapshot, every step, COMPLETED and the result of each kind of task', async () => {
    const created = await urql.client
      .mutation<{ sleep: { id: string }; calculation: { id: string } }>(
        gql`
          mutation CreateBoth {
            sleep: createSleepTask(input: { duration: 2 }) {
              id
            }
            calculation: createCalculationTask(
              input: { numbers: [2147483647, 2147483647, 2147483647], operation: PRODUCT }
            ) {
              id
            }
          }
        `,
        {},
      )
      .toPromise();
    expect(created.error).toBeUndefined();
    const sleep = watch(urql.client, created.data!.sleep.id);
    const calculation = watch(urql.client, created.data!.calculation.id);
    await waitFor(() => sleep.events.length > 0 && calculation.events.length > 0, { what: 'the snapshots' });

    await stack.startWorker();
    await within(Promise.all([sleep.ended, calculation.ended]), 10_000, 'the end of both subscriptions');

    expect(sleep.errors).toEqual([]);
    expect(sleep.events.map((task) => task && [task.state, task.current, task.progress])).toEqual([
      ['QUEUED', 0, 0],
      ['ACTIVE', 0, 0],
      ['ACTIVE', 1, 50],
      ['ACTIVE', 2, 100],
      ['COMPLETED', 2, 100],
    ]);
    // Only the result of its own kind.
    expect(sleep.events.at(-1)).toMatchObject({ total: 2 });
    expect(sleep.events.at(-1)!.result).toEqual({ status: 'ok' });

    expect(calculation.errors).toEqual([]);
    expect(calculation.events[0]).toMatchObject({ state: 'QUEUED', result: null });
    expect(calculation.events.at(-1)).toMatchObject({ state: 'COMPLETED', progress: 100 });
    expect(calculation.events.at(-1)!.result).toEqual({ value: '9903520300447984150353281023' });
  });
});
