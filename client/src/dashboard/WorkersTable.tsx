import { useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { WorkersChangedSubscription } from '../graphql/operations';
import { PausedQueues } from './PausedQueues';
import { kindLabel } from './task-format';
import { useNow } from './use-now';

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

/**
 * The live workers, pushed by `workersChanged` whenever the list changes (a worker starts or stops,
 * or runs more or fewer tasks); uptimes count on from the last list between pushes. Above them, a
 * notice for each paused queue. `paused` stops the timed reads of the queues.
 */
export function WorkersTable({ paused }: { paused: boolean }) {
  const now = useNow();
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  const { data, error } = useSubscription(WorkersChangedSubscription, { onData: () => setReceivedAt(Date.now()) });
  const sinceReceived = Math.max(0, Math.floor((now - receivedAt) / 1000));
  return (
    <section aria-labelledby="workers-title" className="card">
      <h2 id="workers-title">Workers</h2>
      <PausedQueues paused={paused} />
      {error && <p className="field-error">Could not load workers: {error.message}</p>}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Concurrency</th>
              <th scope="col">Uptime</th>
              <th scope="col">Kinds</th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {data?.workersChanged.map((worker) => (
              <tr key={worker.id} data-worker={worker.name}>
                <td>{worker.name}</td>
                <td>{worker.concurrency}</td>
                <td>{duration(worker.uptime + sinceReceived)}</td>
                <td>{worker.taskNames.map((name) => kindLabel(name)).join(', ')}</td>
                <td>{worker.activeTasks}</td>
              </tr>
            ))}
            {data?.workersChanged.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No worker is running: start one with npm run start:worker.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
