import { useQuery } from '@apollo/client/react';
import { WorkersQuery } from '../graphql/operations';
import { kindLabels } from './task-format';

/** Workers have no events of their own: their list is read again every two seconds. */
const REFRESH_MS = 2_000;

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

export function WorkersTable() {
  const { data, error } = useQuery(WorkersQuery, { pollInterval: REFRESH_MS });
  return (
    <section aria-labelledby="workers-title" className="card">
      <h2 id="workers-title">Workers</h2>
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
            {data?.workers.map((worker) => (
              <tr key={worker.name} data-worker={worker.name}>
                <td>{worker.name}</td>
                <td>{worker.concurrency}</td>
                <td>{duration(worker.uptime)}</td>
                <td>{worker.taskNames.map((name) => kindLabels[name] ?? name).join(', ')}</td>
                <td>{worker.activeTasks}</td>
              </tr>
            ))}
            {data?.workers.length === 0 && (
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
