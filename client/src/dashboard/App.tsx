import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import type { Connection } from '../graphql/connection';
import type { TaskFieldsFragment } from '../graphql/generated/graphql';
import { ConnectionBadge } from './ConnectionBadge';
import { CalculationTaskForm, SleepTaskForm } from './CreateTaskForms';
import { TaskDetail } from './TaskDetail';
import { addToList, type TaskFilters } from './task-list';
import { TaskTable } from './TaskTable';
import { WorkersTable } from './WorkersTable';

export function App({ connection }: { connection: Connection }) {
  const client = useApolloClient();
  const [filters, setFilters] = useState<TaskFilters>({ state: null, name: null });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const created = (task: TaskFieldsFragment) => {
    addToList(client.cache, filters, task);
    setAnnouncement(`Task ${task.id.slice(0, 8)} queued`);
  };

  return (
    <>
      <header>
        <h1>Task service</h1>
        <ConnectionBadge connection={connection} />
        <nav>
          <a href="/graphql">Playground</a>
        </nav>
      </header>
      <main>
        <div className="forms">
          <SleepTaskForm onCreated={created} />
          <CalculationTaskForm onCreated={created} />
        </div>
        <div className="panels">
          <TaskTable
            filters={filters}
            onFiltersChange={setFilters}
            selectedId={selectedId}
            onSelect={setSelectedId}
            onAnnounce={setAnnouncement}
          />
          {selectedId && <TaskDetail key={selectedId} id={selectedId} onClose={() => setSelectedId(null)} />}
          <WorkersTable />
        </div>
      </main>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </>
  );
}
