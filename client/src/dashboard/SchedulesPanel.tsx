import type { ApolloCache } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import type { ScheduleFieldsFragment } from '../graphql/generated/graphql';
import { DeleteTaskScheduleMutation, TaskSchedulesQuery } from '../graphql/operations';
import { kindLabel, shortId, time, when } from './task-format';
import { useRefetchSoon } from './use-refetch-soon';

/** Nothing pushes a schedule's changes: the list is read again on a timer, and soon after each run. */
const REFRESH_MS = 15_000;
const AFTER_A_RUN_MS = 1_000;

/** When a schedule runs, in words: `every 60 s`, `*\/10 * * * * * (Europe/Paris)`. */
export function timingText({ cron, everySeconds, timezone }: ScheduleFieldsFragment): string {
  return cron ? `${cron} (${timezone ?? 'UTC'})` : `every ${everySeconds} s`;
}

/** Puts a schedule just created first in the cached list (newest first), once. */
export function addScheduleToList(cache: ApolloCache, schedule: ScheduleFieldsFragment): void {
  cache.updateQuery({ query: TaskSchedulesQuery }, (data) => {
    if (!data || data.taskSchedules.some((known) => known.id === schedule.id)) return undefined;
    return { ...data, taskSchedules: [schedule, ...data.taskSchedules] };
  });
}

function DeleteScheduleButton({ schedule }: { schedule: ScheduleFieldsFragment }) {
  const [remove, { loading }] = useMutation(DeleteTaskScheduleMutation, {
    update(cache, { data }) {
      if (!data?.deleteTaskSchedule) return;
      cache.evict({ id: cache.identify({ __typename: 'TaskSchedule', id: schedule.id }) });
      cache.gc();
    },
  });
  return (
    <button
      type="button"
      disabled={loading}
      aria-label={`Delete schedule ${shortId(schedule.id)}`}
      // A failure (deleted elsewhere meanwhile) shows on the next read of the list.
      onClick={() => void remove({ variables: { id: schedule.id } }).catch(() => undefined)}
    >
      Delete
    </button>
  );
}

/**
 * The caller's schedules, newest first: what each creates and when, its next run, and the task its
 * latest run created (live, as the cache has it from the task events; a click opens it).
 * `runs` grows whenever the page sees a schedule's new task; `paused` stops the timed reads.
 */
export function SchedulesPanel({
  runs,
  paused,
  onSelect,
}: {
  runs: number;
  paused: boolean;
  onSelect(taskId: string): void;
}) {
  const { data, error, refetch } = useQuery(TaskSchedulesQuery, { pollInterval: paused ? 0 : REFRESH_MS });
  useRefetchSoon(runs, refetch, AFTER_A_RUN_MS);
  const schedules = data?.taskSchedules ?? [];
  return (
    <section aria-labelledby="schedules-title" className="card schedules">
      <div className="section-head">
        <h2 id="schedules-title">Schedules</h2>
        <span className="muted">{data ? `${schedules.length} in all` : ''}</span>
      </div>
      {error && (
        <p className="field-error" role="alert">
          Could not load schedules: {error.message}
        </p>
      )}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col" className="wide-only">
                ID
              </th>
              <th scope="col">Kind</th>
              <th scope="col">Runs</th>
              <th scope="col">Next run</th>
              <th scope="col">Last task</th>
              <th scope="col" className="wide-only">
                Created
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.id} data-schedule-id={schedule.id}>
                <td title={schedule.id} className="wide-only">
                  <span className="mono">{shortId(schedule.id)}</span>
                </td>
                <td>{kindLabel(schedule.name)}</td>
                <td className="timing">{timingText(schedule)}</td>
                <td className="next-run">
                  {schedule.nextRunAt && (
                    <time dateTime={schedule.nextRunAt} data-next-run={schedule.nextRunAt}>
                      {when(schedule.nextRunAt)}
                    </time>
                  )}
                </td>
                <td>
                  {schedule.lastTask ? (
                    <span className="last-task" data-task-id={schedule.lastTask.id}>
                      <button
                        type="button"
                        className="link"
                        onClick={() => onSelect(schedule.lastTask!.id)}
                        title={schedule.lastTask.id}
                      >
                        {shortId(schedule.lastTask.id)}
                      </button>{' '}
                      <span className={`badge state-${schedule.lastTask.state.toLowerCase()}`}>
                        {schedule.lastTask.state}
                      </span>
                    </span>
                  ) : (
                    <span className="muted">none yet</span>
                  )}
                </td>
                <td className="wide-only">{time(schedule.createdAt)}</td>
                <td>
                  <DeleteScheduleButton schedule={schedule} />
                </td>
              </tr>
            ))}
            {data && schedules.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No schedules: create one with the Schedule form.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
