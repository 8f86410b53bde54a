import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { DEFAULT_TIMEZONE, type ScheduleSpec } from '../../core/schedule-store.js';
import { zodIssues, type InputIssue } from '../errors.js';

/** What a schedule mutation's `schedule` argument holds, as GraphQL has coerced it. */
export interface ScheduleInput {
  cron?: string | null;
  everySeconds?: number | null;
  timezone?: string | null;
}

/** The longest interval: a year and a day. */
export const MAX_EVERY_SECONDS = 366 * 24 * 3600;
const MAX_CRON_LENGTH = 200;
const MAX_TIMEZONE_LENGTH = 100;

/** An IANA time zone name as this Node.js knows it (cron-parser's time zones are Intl's, through Luxon). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * cron-parser's `H` picks a random value each time an expression is parsed, and BullMQ parses it
 * again for every run: its runs would wander. `THU` and the like are not `H`.
 */
const RANDOM_FIELD = /(^|,)H($|[/(,])/i;

/** Why a cron expression cannot be a schedule's, or null when it can. */
function cronProblem(cron: string, timezone: string): string | null {
  if (
    cron
      .trim()
      .split(/\s+/)
      .some((field) => RANDOM_FIELD.test(field))
  ) {
    return 'H (a random value) is not supported: give the value itself';
  }
  try {
    // Seconds are the finest field of an expression: no schedule runs more than once a second.
    CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date() }).next();
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `"${cron}" is not a cron expression that comes due (${reason})`;
  }
}

const scheduleSchema = z
  .object({
    cron: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(MAX_CRON_LENGTH, { error: `must be at most ${MAX_CRON_LENGTH} characters` })
      .nullish(),
    everySeconds: z
      .int({ error: 'must be a whole number of seconds' })
      .min(1, { error: 'must be at least 1 second' })
      .max(MAX_EVERY_SECONDS, { error: `must be at most ${MAX_EVERY_SECONDS} seconds (366 days)` })
      .nullish(),
    timezone: z
      .string()
      .max(MAX_TIMEZONE_LENGTH, { error: `must be at most ${MAX_TIMEZONE_LENGTH} characters` })
      .refine(isTimeZone, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a time zone: give an IANA name such as Europe/Paris`,
      })
      .nullish(),
  })
  .check((context) => {
    const { cron, everySeconds, timezone } = context.value;
    const issue = (path: string[], message: string) =>
      context.issues.push({ code: 'custom', path, message, input: context.value });
    if (cron != null && everySeconds != null) issue([], 'give cron or everySeconds, not both');
    if (cron == null && everySeconds == null) issue([], 'give cron or everySeconds');
    if (timezone != null && everySeconds != null) issue(['timezone'], 'applies to cron only');
    if (cron != null) {
      const problem = cronProblem(cron, timezone != null && isTimeZone(timezone) ? timezone : DEFAULT_TIMEZONE);
      if (problem) issue(['cron'], problem);
    }
  });

export interface ScheduleCheck {
  value: ScheduleSpec | null;
  issues: InputIssue[];
}

/** Checks a schedule: when it runs, or every problem with it, each naming its field. */
export function checkSchedule(schedule: ScheduleInput | null | undefined, label?: string): ScheduleCheck {
  const parsed = scheduleSchema.safeParse(schedule ?? {});
  if (!parsed.success) return { value: null, issues: zodIssues(parsed.error).map((issue) => ({ ...issue, label })) };
  const { cron, everySeconds, timezone } = parsed.data;
  return { value: { cron: cron ?? null, everySeconds: everySeconds ?? null, timezone: timezone ?? null }, issues: [] };
}
