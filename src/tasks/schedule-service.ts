import type { Queue } from 'bullmq';
import { againOnNoScript } from '../../core/failover-errors.js';
import { MAX_SCHEDULES_PER_OWNER } from '../../core/limits.js';
import type { Logger } from '../../core/logger.js';
import type { Partitions } from '../../core/partitions.js';
import { upsertScheduler } from '../../core/schedule-queue.js';
import { ScheduleLimitError, type ScheduleRecord, type ScheduleStore } from '../../core/schedule-store.js';
import type { TaskKind } from '../../core/task-kinds/index.js';
import { badUserInput, notFound, tooManySchedules, zodIssues, type InputIssue } from '../errors.js';
import { ADMISSION_HOLD_MS, type AdmitsOperations, type AdmittedField } from './admitted-operation.js';
import { limitKey, type Caller } from './caller.js';
import { checkSchedule, type ScheduleInput } from './schedule-input.js';

/**
 * What one root field of a mutation asks of the schedules: one to create, as the client sent it, or
 * one to delete.
 */
export type ScheduleRequest = {
  /** Where it stands in the operation (its response key): errors name it, and admission settles by it. */
  label: string;
} & (
  | { action: 'create'; kind: TaskKind; input: unknown; schedule: ScheduleInput | null | undefined }
  | { action: 'delete'; id: string }
);

/**
 * Task schedules: each is a record of ours (core/schedule-store.ts), the truth of what its runs
 * create and for whom, and a BullMQ job scheduler of the same id on its partition's queue of
 * schedule runs (core/schedule-queue.ts), which makes one job per due time; a worker turns each
 * into an ordinary task (worker/schedule-runs.ts), taken from its creator's creation allowance.
 * With authentication on, a schedule of another owner is as unknown as one that does not exist.
 *
 * It admits a mutation's schedules (each `schedule` checked; their `input` and the creation
 * allowance are TaskService's), and finds before any of it runs: a schedule deleted that is not
 * the caller's, or that a field before deletes (NOT_FOUND); schedules past MAX_SCHEDULES_PER_OWNER
 * (TOO_MANY_SCHEDULES), counting the slots held for other mutations under way: a slot is held for
 * each schedule it creates, all or none, so two at once are not both admitted for the last ones.
 */
export interface ScheduleService extends AdmitsOperations<ScheduleRequest> {
  /** Creates a schedule whose creation was admitted, in the slot held for it (`admitted.scheduleId`). */
  create(
    kind: TaskKind,
    input: unknown,
    schedule: ScheduleInput,
    caller: Caller,
    admitted?: AdmittedField,
  ): Promise<ScheduleRecord>;
  /** The caller's schedules (every schedule with authentication off), newest first, up to MAX_SCHEDULES_PER_OWNER. */
  list(caller: Caller): Promise<ScheduleRecord[]>;
  /** Stops its runs and forgets it; its tasks stay. NOT_FOUND when unknown. */
  remove(id: string, caller: Caller): Promise<true>;
  /** When its next run is due, as its BullMQ scheduler has it; null when it has none. */
  nextRunAt(schedule: Pick<ScheduleRecord, 'id'>): Promise<Date | null>;
  /** Waits for the creates under way, so that none is cut between its record and its scheduler. */
  close(): Promise<void>;
}

export interface ScheduleServiceOptions {
  store: ScheduleStore;
  partitions: Partitions;
  /** Each partition's queue of schedule runs, by its index: a schedule's scheduler is on its partition's. */
  scheduleQueues: readonly Queue[];
  /**
   * Each partition's tasks queue, by its index, where earlier versions made schedulers: a scheduler
   * still there (workers move them to the schedule queue as they start) is read there, and deleted
   * from there with its schedule. Task jobs themselves are kept as long as their tasks
   * (core/enqueue-task.ts).
   */
  taskQueues: readonly Queue[];
  /** How long each task of a schedule is kept once finished; fixed when the schedule is created. */
  resultTtlMs: number;
  logger: Logger;
}

function checkedInput(kind: TaskKind, input: unknown) {
  const parsed = kind.input.safeParse(input);
  return parsed.success ? { value: parsed.data, issues: [] } : { value: undefined, issues: zodIssues(parsed.error) };
}

export function createScheduleService({
  store,
  partitions,
  scheduleQueues,
  taskQueues,
  resultTtlMs,
  logger,
}: ScheduleServiceOptions): ScheduleService {
  /** With authentication off (no owner), a caller sees every schedule. */
  const sees = (caller: Caller, schedule: ScheduleRecord) => caller.owner === null || schedule.owner === caller.owner;

  const visible = async (id: string, caller: Caller) => {
    const schedule = await store.get(id);
    return schedule && sees(caller, schedule) ? schedule : null;
  };

  const indexOf = (id: string) => partitions.ofTask(id)!.index;

  const creating = new Set<Promise<unknown>>();
  let closing: Promise<void> | null = null;

  async function createSchedule(
    kind: TaskKind,
    rawInput: unknown,
    rawSchedule: ScheduleInput,
    caller: Caller,
    admitted: AdmittedField | undefined,
  ) {
    // Parsed in admission, when it was admitted (TaskService.check).
    const { value: input, issues } = admitted?.parsedInput
      ? { value: admitted.parsedInput.value, issues: [] }
      : checkedInput(kind, rawInput);
    if (issues.length > 0) throw badUserInput('input', issues);
    const heldId = admitted?.scheduleId;
    const { value: spec, issues: scheduleIssues } = checkSchedule(rawSchedule);
    if (!spec) throw badUserInput('schedule', scheduleIssues);
    const partition = store.partitionOf(caller.owner);
    const id = heldId ?? partitions.newTask(partition).id;
    let record: ScheduleRecord;
    try {
      record = await store.create(
        { id, kind: kind.name, input, ...spec, owner: caller.owner, client: limitKey(caller), ttlMs: resultTtlMs },
        MAX_SCHEDULES_PER_OWNER,
      );
    } catch (error) {
      if (error instanceof ScheduleLimitError) throw tooManySchedules(error.limit);
      throw error;
    }
    // The record first: a run never meets a scheduler whose schedule it cannot find, and a
    // scheduler that cannot be made takes its record back with it.
    try {
      await upsertScheduler(scheduleQueues[partition.index]!, record);
    } catch (error) {
      await store.remove(record).catch(() => undefined);
      throw error;
    }
    logger.info({ scheduleId: id, task: kind.name, ...spec }, 'schedule created');
    return record;
  }

  return {
    check(requests) {
      const issues: InputIssue[] = requests.flatMap((request) =>
        request.action === 'create' ? checkSchedule(request.schedule, request.label).issues : [],
      );
      if (issues.length > 0) throw badUserInput('schedule', issues);
    },

    async admit(requests, caller, admitted, alone) {
      // A schedule's create alone is counted against the owner's limit by its own script.
      if (alone) return;
      const deletes = requests.flatMap((request) => (request.action === 'delete' ? [request.id] : []));
      const found = await Promise.all(deletes.map((id) => visible(id, caller)));
      const deleted = new Set<string>();
      for (const [i, id] of deletes.entries()) {
        if (!found[i] || deleted.has(id)) throw notFound(id, 'task schedule');
        deleted.add(id);
      }
      const creates = requests.filter(({ action }) => action === 'create');
      if (creates.length === 0) return;
      const partition = store.partitionOf(caller.owner);
      const ids = creates.map(() => partitions.newTask(partition).id);
      try {
        await store.hold(caller.owner, ids, MAX_SCHEDULES_PER_OWNER, Date.now() + ADMISSION_HOLD_MS);
      } catch (error) {
        if (error instanceof ScheduleLimitError) throw tooManySchedules(error.limit);
        throw error;
      }
      admitted.hold(() => store.release(caller.owner, ids));
      creates.forEach(({ label }, i) => admitted.settle(label, { scheduleId: ids[i]! }));
    },

    create(kind, input, schedule, caller, admitted) {
      if (closing) return Promise.reject(new Error('the schedule service is closing'));
      const created = createSchedule(kind, input, schedule, caller, admitted);
      const settled = created.catch(() => undefined);
      creating.add(settled);
      void settled.finally(() => creating.delete(settled));
      return created;
    },

    async list(caller) {
      // With authentication off every schedule is the caller's: all partitions' indexes, merged.
      return store.list(caller.owner === null ? undefined : caller.owner, MAX_SCHEDULES_PER_OWNER);
    },

    async remove(id, caller) {
      const schedule = await visible(id, caller);
      if (!schedule) throw notFound(id, 'task schedule');
      // The scheduler first: a schedule whose scheduler is gone is still listed, and can be
      // removed again; a scheduler left without its schedule would make jobs for nothing (a worker
      // that meets one removes it).
      await Promise.all(
        [scheduleQueues, taskQueues].map((queues) =>
          againOnNoScript(() => queues[indexOf(id)]!.removeJobScheduler(id)),
        ),
      );
      if (!(await store.remove(schedule))) throw notFound(id, 'task schedule');
      logger.info({ scheduleId: id }, 'schedule deleted');
      return true;
    },

    async nextRunAt(schedule) {
      const index = indexOf(schedule.id);
      const scheduler =
        (await scheduleQueues[index]!.getJobScheduler(schedule.id)) ??
        (await taskQueues[index]!.getJobScheduler(schedule.id));
      return scheduler?.next ? new Date(scheduler.next) : null;
    },

    close() {
      closing ??= Promise.all(creating).then(() => undefined);
      return closing;
    },
  };
}
