import { useQuery } from '@apollo/client/react';
import { QueuesQuery } from '../graphql/operations';

/**
 * Nothing in the service pauses a queue, so nothing pushes it: Bull Board, Taskforce or a script
 * does, with BullMQ's queue.pause(). The queues are read on this timer, a few reads per partition.
 */
const REFRESH_MS = 3_000;

/**
 * A notice for each paused queue, gone once it is resumed: a paused queue starts no task, however
 * many workers are idle. `paused` stops the timed reads (while the sign-in box is up).
 */
export function PausedQueues({ paused }: { paused: boolean }) {
  const { data, error } = useQuery(QueuesQuery, { pollInterval: paused ? 0 : REFRESH_MS });
  const queues = data?.queues ?? [];
  // With one partition its queue is the service's; with several, a notice says which.
  const several = queues.length > 1;
  return (
    <>
      {error && <p className="field-error">Could not read the queues: {error.message}</p>}
      {queues
        .filter((queue) => queue.paused)
        .map((queue) => (
          <p
            key={queue.prefix}
            className="queue-paused"
            role="status"
            data-queue-paused={queue.name}
            data-partition={queue.partition}
          >
            Queue <code>{queue.name}</code>
            {several && (
              <>
                {' '}
                of partition {queue.partition} (prefix <code>{queue.prefix}</code>)
              </>
            )}{' '}
            is paused: no task {several ? 'of it ' : ''}starts until it is resumed (BullMQ&apos;s{' '}
            <code>queue.resume()</code>, or Resume in Bull Board/Taskforce).
          </p>
        ))}
    </>
  );
}
