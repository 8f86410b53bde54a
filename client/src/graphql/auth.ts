/**
 * The dashboard's sign-in, for a service with authentication on: the bearer token, kept for the
 * browser session (sessionStorage: this tab, until it closes or the user signs out), sent over HTTP
 * (`Authorization: Bearer`, apollo.ts) and in graphql-ws's connection_init (connection.ts).
 *
 * Nothing says up front whether the service wants a token: the first refusal (HTTP 401, or the
 * socket closed with 4403) asks for one. A token is `checking` until the service has answered with
 * it, then signed in; refused, the box asks again with the service's reason.
 */
export type AuthStatus = 'open' | 'needed' | 'checking';

export interface AuthState {
  token: string | null;
  /** open: nothing to ask; needed: the service refused, a token is wanted; checking: one was just given. */
  status: AuthStatus;
  /** Why the service refused the token given, if it was given one. */
  error: string | null;
}

export interface Auth {
  state(): AuthState;
  token(): string | null;
  /** Called on every change of state; answers a function that stops listening. */
  onChange(listener: () => void): () => void;
  signIn(token: string): void;
  signOut(): void;
  /** The service refused a request sent with `sentToken`: stale news when the token has changed since. */
  refused(reason: string, sentToken: string | null): void;
  /** The service answered a request sent with `sentToken`. */
  accepted(sentToken: string | null): void;
  /** Resolves once another token is given (or the old one taken away). */
  tokenChanged(): Promise<void>;
}

const STORAGE_KEY = 'task-service.token';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

export function createAuth(storage: Storage = window.sessionStorage): Auth {
  let state: AuthState = { token: storage.getItem(STORAGE_KEY), status: 'open', error: null };
  const listeners = new Set<() => void>();
  let changed = deferred();

  const set = (next: Partial<AuthState>) => {
    if (Object.entries(next).every(([key, value]) => state[key as keyof AuthState] === value)) return;
    const tokenChanged = next.token !== undefined && next.token !== state.token;
    state = { ...state, ...next };
    listeners.forEach((listener) => listener());
    if (tokenChanged) {
      changed.resolve();
      changed = deferred();
    }
  };

  return {
    state: () => state,
    token: () => state.token,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signIn(token) {
      storage.setItem(STORAGE_KEY, token);
      set({ token, status: 'checking', error: null });
    },
    signOut() {
      storage.removeItem(STORAGE_KEY);
      set({ token: null, status: 'needed', error: null });
    },
    refused(reason, sentToken) {
      if (sentToken !== state.token) return;
      set({ status: 'needed', error: sentToken ? reason : null });
    },
    accepted(sentToken) {
      if (sentToken === state.token && state.status === 'checking') set({ status: 'open', error: null });
    },
    tokenChanged: () => changed.promise,
  };
}
