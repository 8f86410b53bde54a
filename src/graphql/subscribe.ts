import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/**
 * graphql-js's subscribe(), step for step, but the event stream is mapped by one small object of a
 * class rather than by mapAsyncIterator's closures. A live subscription holds its map for as long as
 * it lives, and an API instance holds tens of thousands of them: the closures, their contexts and
 * the map object took about half a KiB each.
 */
export async function subscribe(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  return new ExecutedEvents(stream[Symbol.asyncIterator](), args);
}

/** Each source event executed as the root value of the operation, as graphql-js does. */
class ExecutedEvents implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    return this.executed(await this.source.next());
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.return ? this.executed(await this.source.return()) : { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (this.source.throw) return this.executed(await this.source.throw(error));
    throw error;
  }

  private async executed(step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> {
    if (step.done) return step;
    try {
      return { value: await execute({ ...this.args, rootValue: step.value }), done: false };
    } catch (error) {
      // As graphql-js: a failed execution ends the source too.
      await this.source.return?.().catch(() => undefined);
      throw error;
    }
  }
}
