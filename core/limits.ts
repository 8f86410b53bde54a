/**
 * Bounds the API enforces and other parts measure against: the task list refuses a larger page, and
 * the GraphQL cost limit counts a page of tasks as at most this many.
 */
export const MAX_PAGE_SIZE = 100;

/** Entries a task's timeline keeps, the newest: as core/scripts/includes/timeline.lua trims it. */
export const TIMELINE_LENGTH = 100;

/** Lines of a task's log one read answers at most (MAX_TASK_LOG_LINES keeps up to as many). */
export const MAX_LOG_LINES_READ = 10_000;

/**
 * Schedules one owner may have at once (with authentication off, every caller is the same owner):
 * each costs a BullMQ job scheduler and its runs' tasks, so a caller cannot pile them up.
 */
export const MAX_SCHEDULES_PER_OWNER = 100;

/**
 * Seconds a run may take by default (WORKER_MAX_TIMEOUT), which the API also checks a task's own
 * limit against: room for the longest sleep (300 s) and its writes. A kind may set a lower one.
 */
export const DEFAULT_WORKER_MAX_TIMEOUT = 330;
