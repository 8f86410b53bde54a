import { request as httpRequest } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface HttpOptions {
  /** A bearer token, sent as `Authorization: Bearer <token>`; null or none sends no Authorization. */
  token?: string | null;
  /** More headers: an Authorization of another kind, say. */
  headers?: Record<string, string>;
  /** The address it comes from: any 127.x.y.z is this machine, and to the API another client. */
  localAddress?: string;
}

/** An answer as a client sees it. */
export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: GraphQLResponse<T>;
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A POST from `localAddress`, which fetch cannot choose. */
function postFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('error', reject);
      res.on('end', () => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const one of [value ?? []].flat()) answerHeaders.append(name, one);
        }
        resolve({ status: res.statusCode!, headers: answerHeaders, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One GraphQL request over HTTP POST: `request` is its JSON body (`query` and `variables`, or a
 * trusted document's id). Answers the status, the headers and the body, whatever the status.
 */
export async function postGraphQL<T = Record<string, any>>(
  url: string,
  request: Record<string, unknown>,
  { token, headers = {}, localAddress }: HttpOptions = {},
): Promise<HttpAnswer<T>> {
  const endpoint = `${url}/graphql`;
  const allHeaders = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...headers,
  };
  const body = JSON.stringify(request);
  const answer = localAddress
    ? await postFrom(localAddress, endpoint, allHeaders, body)
    : await fetch(endpoint, { method: 'POST', headers: allHeaders, body }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      }));
  try {
    return { status: answer.status, headers: answer.headers, body: JSON.parse(answer.text) as GraphQLResponse<T> };
  } catch {
    throw new Error(`the answer ${answer.status} from ${endpoint} is not JSON: ${answer.text.slice(0, 300)}`);
  }
}

/** One GraphQL request over HTTP: its body. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  return (await postGraphQL<T>(url, { query, variables })).body;
}

/** One GraphQL request over HTTP from another loopback address: its body. */
export async function gqlFrom<T = Record<string, unknown>>(
  localAddress: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  return (await postGraphQL<T>(url, { query, variables }, { localAddress, headers })).body;
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
