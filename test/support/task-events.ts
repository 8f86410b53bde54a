import { Redis } from 'ioredis';
import { parseTaskHash, type TaskRecord } from '../../core/task-record.js';
import { REDIS_URL } from './stack.js';

export interface TaskEvents {
  /** Every record each task published, in order, by task id. */
  events: Map<string, TaskRecord[]>;
  close(): Promise<void>;
}

/** Records every task event published on `channel` (a stack's allTasksChannel), on a connection of its own. */
export async function recordTaskEvents(channel: string, redisUrl = REDIS_URL): Promise<TaskEvents> {
  const events = new Map<string, TaskRecord[]>();
  const subscriber = new Redis(redisUrl);
  subscriber.on('message', (_channel: string, message: string) => {
    const record = parseTaskHash(JSON.parse(message) as Record<string, string>);
    events.set(record.id, [...(events.get(record.id) ?? []), record]);
  });
  await subscriber.subscribe(channel);
  return { events, close: () => subscriber.quit().then(() => undefined) };
}
