import { useState, useSyncExternalStore, type FormEvent } from 'react';
import type { Auth } from '../graphql/auth';

export function useAuthState(auth: Auth) {
  return useSyncExternalStore((notify) => auth.onChange(notify), auth.state);
}

/**
 * Asks for a token when the service refuses to answer without one (or refuses the one it was
 * given, with its reason). The token is kept for this browser session only.
 */
export function SignInBox({ auth }: { auth: Auth }) {
  const { status, error } = useAuthState(auth);
  const [token, setToken] = useState('');
  if (status === 'open') return null;
  const checking = status === 'checking';

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    if (trimmed) auth.signIn(trimmed);
  }

  return (
    <div className="sign-in-backdrop">
      <form
        onSubmit={submit}
        className="card sign-in"
        role="dialog"
        aria-modal="true"
        aria-labelledby="sign-in-title"
        aria-describedby="sign-in-about"
      >
        <h2 id="sign-in-title">Sign in</h2>
        <p id="sign-in-about" className="muted">
          This service asks for a token (a JSON Web Token). It is kept in this browser tab until you sign out or close
          it.
        </p>
        <label htmlFor="sign-in-token">Token</label>
        <input
          id="sign-in-token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking || !token.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}

/** In the header while a token is kept: signing out forgets it. */
export function SignOutButton({ auth }: { auth: Auth }) {
  const { token } = useAuthState(auth);
  if (!token) return null;
  return (
    <button type="button" className="secondary" onClick={() => auth.signOut()}>
      Sign out
    </button>
  );
}
