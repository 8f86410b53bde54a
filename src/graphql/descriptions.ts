import { taskKinds } from '../../core/task-kinds/index.js';

/** Descriptions that several parts of the schema share, each kind's mutations alike. */

/** The kinds' names, as in `sleep_task or calculation_task`. */
export const KIND_NAMES = ((names: readonly string[]) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join(''))(
  taskKinds.map((kind) => kind.name),
);

/** A create mutation's `input`. */
export const INPUT_DESCRIPTION =
  'What the task does. Checked before anything is created: a wrong field answers BAD_USER_INPUT naming it.';

/** A create mutation's `options`. */
export const OPTIONS_DESCRIPTION =
  "How and when it runs. Left out: as soon as a worker is free, with no priority, within the workers' time limit.";

/** A schedule mutation's `input`. */
export const SCHEDULED_INPUT_DESCRIPTION =
  "What each task it creates does; checked now, as a create's input is (BAD_USER_INPUT).";

/** A schedule mutation's `schedule`. */
export const SCHEDULE_DESCRIPTION = 'When it runs: a cron expression or an interval.';

/** An argument naming a task that must exist. */
export const TASK_ID_DESCRIPTION = "The task's id; NOT_FOUND when it is unknown or has expired.";
