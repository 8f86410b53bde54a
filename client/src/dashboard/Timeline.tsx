import type { TaskDetailSubscription } from '../graphql/generated/graphql';

export type TaskEvent = TaskDetailSubscription['taskProgress']['timeline'][number];

/** A change in words: queued, a run started, a step, a run handed back, the end. */
export function eventText({ state, current, total, attempt, message }: TaskEvent): string {
  const run = attempt !== null ? `attempt ${attempt}` : '';
  switch (state) {
    case 'QUEUED':
      return attempt === null ? 'Queued' : `Queued again after ${run}${message ? `: ${message}` : ''}`;
    case 'ACTIVE':
      if (current === 0 || current === null)
        return `Started ${run}${message ? `, ${message.replace(/^started /, '')}` : ''}`;
      return `Step ${current} of ${total ?? '?'}`;
    case 'COMPLETED':
      return `Completed${run ? ` (${run})` : ''}`;
    case 'FAILED':
      return `Failed${run ? ` (${run})` : ''}${message ? `: ${message}` : ''}`;
    case 'CANCELLED':
      return 'Cancelled';
  }
}

/** Seconds after the first change, as +1.2 s. */
function offset(at: string, first: string): string {
  const seconds = (Date.parse(at) - Date.parse(first)) / 1000;
  return seconds < 60 ? `+${seconds.toFixed(1)} s` : `+${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A task's changes, oldest first, each with its time and the time since it was queued. */
export function Timeline({ events }: { events: readonly TaskEvent[] }) {
  if (events.length === 0) return null;
  const first = events[0]!.at;
  return (
    <>
      <h3 id="timeline-title">Timeline</h3>
      <ol className="timeline" aria-labelledby="timeline-title">
        {events.map((event, i) => (
          <li key={`${event.at}-${i}`} data-state={event.state} className={`event event-${event.state.toLowerCase()}`}>
            <time dateTime={event.at} title={new Date(event.at).toISOString()}>
              {clock(event.at)}
            </time>
            <span className="event-offset muted">{offset(event.at, first)}</span>
            <span className="event-text">{eventText(event)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
