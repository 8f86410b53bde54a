import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import type { Auth } from '../graphql/auth';
import type { Connection } from '../graphql/connection';
import type { ScheduleFieldsFragment, TaskFieldsFragment } from '../graphql/generated/graphql';
import { ConnectionBadge } from './ConnectionBadge';
import { CreateTaskForm } from './CreateTaskForms';
import { HistoryCharts } from './HistoryCharts';
import { ScheduleForm } from './ScheduleForm';
import { addScheduleToList, SchedulesPanel } from './SchedulesPanel';
import { SignInBox, SignOutButton, useAuthState } from './SignIn';
import { TaskDetail } from './TaskDetail';
import { addToList, type TaskFilters } from './task-list';
import { TaskTable } from './TaskTable';
import { useTaskKinds } from './use-task-kinds';
import { WorkersTable } from './WorkersTable';

export function App({ connection, auth }: { connection: Connection; auth: Auth }) {
  const client = useApolloClient();
  const [filters, setFilters] = useState<TaskFilters>({ state: null, name: null });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  /** Tasks seen ending: the history is read again after each. */
  const [ends, setEnds] = useState(0);
  /** Tasks seen created by a schedule: the schedules are read again after each. */
  const [scheduleRuns, setScheduleRuns] = useState(0);
  // While the sign-in box is up, the page behind it can be neither reached nor polled.
  const signingIn = useAuthState(auth).status !== 'open';
  // The forms are drawn from the kinds, and a task is read only once its kind's type is known
  // (task-types.ts): until the kinds come, neither shows.
  const { kinds, error: kindsError } = useTaskKinds();

  const created = (task: TaskFieldsFragment) => {
    addToList(client.cache, filters, task);
    setAnnouncement(`Task ${task.id.slice(0, 8)} queued`);
  };
  const scheduled = (schedule: ScheduleFieldsFragment) => {
    addScheduleToList(client.cache, schedule);
    setAnnouncement(`Schedule ${schedule.id.slice(0, 8)} created`);
  };

  return (
    <>
      <header inert={signingIn}>
        <h1>Task service</h1>
        <ConnectionBadge connection={connection} />
        <nav>
          <SignOutButton auth={auth} />
          <a href="/graphql">Playground</a>
        </nav>
      </header>
      <main inert={signingIn}>
        <div className="forms">
          {kinds ? (
            <>
              {kinds.map((kind) => (
                <CreateTaskForm key={kind.name} kind={kind} onCreated={created} />
              ))}
              <ScheduleForm kinds={kinds} onCreated={scheduled} />
            </>
          ) : (
            <p className="card muted" role="status">
              {kindsError ? `Could not load the kinds of task: ${kindsError.message}` : 'Loading the kinds of task…'}
            </p>
          )}
        </div>
        <div className="panels">
          <HistoryCharts ends={ends} paused={signingIn} />
          {kinds && (
            <TaskTable
              kinds={kinds}
              filters={filters}
              onFiltersChange={setFilters}
              selectedId={selectedId}
              onSelect={setSelectedId}
              onAnnounce={setAnnouncement}
              onTaskEnded={() => setEnds((count) => count + 1)}
              onScheduledRun={() => setScheduleRuns((count) => count + 1)}
              onRetried={created}
            />
          )}
          {kinds && selectedId && (
            <TaskDetail
              key={selectedId}
              id={selectedId}
              kinds={kinds}
              onClose={() => setSelectedId(null)}
              onSelect={setSelectedId}
              onRetried={created}
            />
          )}
          <SchedulesPanel runs={scheduleRuns} paused={signingIn} onSelect={setSelectedId} />
          <WorkersTable paused={signingIn} />
        </div>
      </main>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <SignInBox auth={auth} />
    </>
  );
}
