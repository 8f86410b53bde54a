/**
 * Bounds the API enforces and other parts measure against: the task list refuses a larger page, and
 * the GraphQL cost limit counts a page of tasks as at most this many.
 */
export const MAX_PAGE_SIZE = 100;

/** Entries a task's timeline keeps, the newest: as core/scripts/includes/timeline.lua trims it. */
export const TIMELINE_LENGTH = 100;
