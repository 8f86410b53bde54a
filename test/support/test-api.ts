import { afterAll, beforeAll } from 'vitest';
import { createTestStack, type TestApi, type TestStack } from './stack.js';

/**
 * A stack with one API for the tests of a describe block: started before the first, closed after the
 * last. Read `setup.stack` and `setup.api` inside the tests.
 */
export function useTestApi(): { readonly stack: TestStack; readonly api: TestApi } {
  const setup = {} as { stack: TestStack; api: TestApi };
  beforeAll(async () => {
    setup.stack = await createTestStack();
    setup.api = await setup.stack.startApi();
  });
  afterAll(() => setup.stack.close());
  return setup;
}
