import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import type { TaskFieldsFragment, TaskState } from '../graphql/generated/graphql';
import { CancelTaskMutation, DeleteTaskMutation, TasksQuery, TaskUpdatedSubscription } from '../graphql/operations';
import { ProgressBar } from './ProgressBar';
import { RetryButton } from './RetryButton';
import { addToList, matches, tasksVariables, type TaskFilters } from './task-list';
import { isFinished, kindLabel, outcome, shortId, startsAt, time, when } from './task-format';
import type { TaskKind } from './use-task-kinds';
import { useNow } from './use-now';

const states: TaskState[] = ['QUEUED', 'ACTIVE', 'COMPLETED', 'FAILED', 'CANCELLED'];

interface TaskTableProps {
  /** The kinds the filter offers. */
  kinds: readonly TaskKind[];
  filters: TaskFilters;
  onFiltersChange(filters: TaskFilters): void;
  selectedId: string | null;
  onSelect(id: string): void;
  /** Announced to screen readers: one line per finished task. */
  onAnnounce(message: string): void;
  /** A task of the list has reached a terminal state (its event arrived). */
  onTaskEnded(): void;
  /** A schedule's run has created a task (its first event arrived). */
  onScheduledRun(): void;
  onRetried(task: TaskFieldsFragment): void;
}

/** Cancel while the task can still run, Delete once it has finished. */
function TaskActions({ task }: { task: TaskFieldsFragment }) {
  const [cancel, cancelling] = useMutation(CancelTaskMutation);
  const [remove, removing] = useMutation(DeleteTaskMutation, {
    update(cache, { data }) {
      if (!data?.deleteTask) return;
      cache.evict({ id: cache.identify({ __typename: task.__typename, id: task.id }) });
      cache.gc();
    },
  });
  const finished = isFinished(task);
  const [action, run, busy] = finished ? ['Delete', remove, removing.loading] : ['Cancel', cancel, cancelling.loading];
  return (
    <button
      type="button"
      onClick={(event) => {
        event.stopPropagation(); // not a click on the row, which opens the detail
        // A failure (the task expired meanwhile) shows on the next read of the list.
        void run({ variables: { id: task.id } }).catch(() => undefined);
      }}
      disabled={busy}
      aria-label={`${action} task ${shortId(task.id)}`}
    >
      {action}
    </button>
  );
}

/**
 * One task: a click anywhere on it opens its detail. Under its state, its priority, and while a
 * delayed task waits, when it starts.
 */
function TaskRow({
  task,
  now,
  selected,
  onSelect,
  onRetried,
}: {
  task: TaskFieldsFragment;
  now: number;
  selected: boolean;
  onSelect(id: string): void;
  onRetried(task: TaskFieldsFragment): void;
}) {
  const starts = startsAt(task, now);
  return (
    <tr
      data-task-id={task.id}
      data-state={task.state}
      className={selected ? 'selected' : undefined}
      onClick={() => onSelect(task.id)}
    >
      <td>
        <button type="button" className="link" onClick={() => onSelect(task.id)} title={task.id}>
          {shortId(task.id)}
        </button>
      </td>
      <td className="wide-only">{kindLabel(task.name)}</td>
      <td>
        <span className={`badge state-${task.state.toLowerCase()}`}>{task.state}</span>
        {(task.priority !== null || starts) && (
          <span className="row-note muted">
            {task.priority !== null && <span data-priority={task.priority}>priority {task.priority}</span>}
            {starts && (
              <span className="starts" data-run-at={starts}>
                starts {when(starts, now)}
              </span>
            )}
          </span>
        )}
      </td>
      <td>
        <ProgressBar task={task} label={`Progress of task ${shortId(task.id)}`} />
      </td>
      <td className="wide-only">{time(task.startedAt)}</td>
      <td className="wide-only">{time(task.finishedAt)}</td>
      <td className={task.state === 'FAILED' ? 'outcome failed' : 'outcome'} title={outcome(task)}>
        <span className="clamp">{outcome(task)}</span>
      </td>
      <td>
        <div className="row-actions">
          <RetryButton task={task} onRetried={onRetried} />
          <TaskActions task={task} />
        </div>
      </td>
    </tr>
  );
}

export function TaskTable({
  kinds,
  filters,
  onFiltersChange,
  selectedId,
  onSelect,
  onAnnounce,
  onTaskEnded,
  onScheduledRun,
  onRetried,
}: TaskTableProps) {
  const client = useApolloClient();
  const now = useNow();
  const { data, error, fetchMore, loading } = useQuery(TasksQuery, {
    variables: tasksVariables(filters),
    notifyOnNetworkStatusChange: true,
  });
  useSubscription(TaskUpdatedSubscription, {
    onData: ({ data: event }) => {
      const task = event.data?.taskUpdated;
      if (!task) return;
      addToList(client.cache, filters, task);
      if (task.scheduleId && task.state === 'QUEUED' && task.attempts === 0) onScheduledRun();
      if (!isFinished(task)) return;
      onAnnounce(`${kindLabel(task.name)} task ${shortId(task.id)}: ${task.state}`);
      onTaskEnded();
    },
  });

  // A row leaves when its task expires, or stops matching the state filter; it updates in place otherwise.
  const tasks = (data?.tasks.nodes ?? []).filter(
    (task) => matches(task, filters) && !(task.expiresAt && Date.parse(task.expiresAt) <= now),
  );

  return (
    <section aria-labelledby="tasks-title" className="card tasks">
      <div className="section-head">
        <h2 id="tasks-title">Tasks</h2>
        <span className="muted">{data ? `${data.tasks.totalCount} in all` : ''}</span>
        <label htmlFor="filter-state">State</label>
        <select
          id="filter-state"
          value={filters.state ?? ''}
          onChange={(event) => onFiltersChange({ ...filters, state: (event.target.value || null) as TaskState | null })}
        >
          <option value="">any</option>
          {states.map((state) => (
            <option key={state}>{state}</option>
          ))}
        </select>
        <label htmlFor="filter-kind">Kind</label>
        <select
          id="filter-kind"
          value={filters.name ?? ''}
          onChange={(event) => onFiltersChange({ ...filters, name: event.target.value || null })}
        >
          <option value="">any</option>
          {kinds.map(({ name }) => (
            <option key={name} value={name}>
              {kindLabel(name)}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="field-error" role="alert">
          Could not load tasks: {error.message}
        </p>
      )}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col" className="wide-only">
                Kind
              </th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col" className="wide-only">
                Started
              </th>
              <th scope="col" className="wide-only">
                Finished
              </th>
              <th scope="col">Result</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <TaskRow
                key={task.id}
                task={task}
                now={now}
                selected={task.id === selectedId}
                onSelect={onSelect}
                onRetried={onRetried}
              />
            ))}
            {data && tasks.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No tasks yet: start one with a form.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {data?.tasks.pageInfo.hasNextPage && (
        <button
          type="button"
          disabled={loading}
          onClick={() =>
            void fetchMore({
              variables: { ...tasksVariables(filters), after: data.tasks.pageInfo.endCursor },
            })
          }
        >
          Load more
        </button>
      )}
    </section>
  );
}
