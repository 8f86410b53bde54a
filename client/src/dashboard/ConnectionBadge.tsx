import { useSyncExternalStore } from 'react';
import type { Connection } from '../graphql/connection';

const labels = { connecting: 'connecting', connected: 'connected', reconnecting: 'reconnecting' };

export function ConnectionBadge({ connection }: { connection: Connection }) {
  const state = useSyncExternalStore((notify) => connection.onChange(notify), connection.state);
  return (
    <span className={`badge connection-${state}`} role="status" data-connection={state}>
      {labels[state]}
    </span>
  );
}
