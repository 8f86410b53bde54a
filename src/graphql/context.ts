import type { Caller } from '../tasks/caller.js';
import type { ScheduleService } from '../tasks/schedule-service.js';
import type { TaskService } from '../tasks/task-service.js';

/** What every resolver gets, over HTTP and over WebSocket alike. */
export interface Context {
  tasks: TaskService;
  schedules: ScheduleService;
  caller: Caller;
}
