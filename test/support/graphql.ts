import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** One GraphQL request over HTTP. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** One GraphQL request over HTTP from another loopback address (any 127.x.y.z is this machine). */
export function gqlFrom<T = Record<string, unknown>>(
  localAddress: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text) as GraphQLResponse<T>));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

/** Like gql, but fails the test on any error and answers the data. */
export async function gqlData<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const { data, errors } = await gql<T>(url, query, variables);
  if (errors?.length || !data) throw new Error(`GraphQL errors: ${JSON.stringify(errors)}`);
  return data;
}

export function wsClient(url: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

export interface Watch<T> {
  values: T[];
  /** Resolves when the server completes the subscription, or it errors. */
  ended: Promise<void>;
  error: unknown;
  completed: boolean;
  stop(): void;
}

/** Subscribes and records everything the server sends. */
export function watch<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Watch<T> {
  const state: Watch<T> = {
    values: [],
    ended: Promise.resolve(),
    error: null,
    completed: false,
    stop: () => undefined,
  };
  state.ended = new Promise<void>((resolve) => {
    state.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) state.error = result.errors;
          if (result.data) state.values.push(result.data as T);
        },
        error: (error) => {
          state.error = error;
          resolve();
        },
        complete: () => {
          state.completed = true;
          resolve();
        },
      },
    );
  });
  return state;
}
