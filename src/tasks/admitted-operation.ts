import type { TaskRecord } from '../../core/task-record.js';
import type { IdempotencyHold } from '../../core/task-store.js';
import type { Caller } from './caller.js';

/** What admission settled for one root field of a mutation, for its resolver to go by. */
export interface AdmittedField {
  /** A create with an idempotency key: the key's hold (the task it names; the id to take, for the first create with it). */
  idempotency?: Pick<IdempotencyHold, 'taskId' | 'newTaskId'> & {
    /** The create took the key (it wrote the key's entry): the hold has nothing to give back. */
    taken?: () => void;
  };
  /** A schedule create: the id its slot is held for. */
  scheduleId?: string;
  /** A retry: the task to retry, as admission found it. */
  retried?: TaskRecord;
  /** A create or a schedule's: its input as its kind's schema parsed it in admission, not parsed again. */
  parsedInput?: { value: unknown };
}

/**
 * A mutation admitted as a whole (src/graphql/admission.ts): what admission settled for each of its
 * root fields, by response key, and what it holds for them (idempotency keys, schedule slots) so
 * that no other request takes it before the field runs. Whoever runs the operation releases it once
 * the operation has run: what its fields did not use goes back. Holds also end by themselves
 * (ADMISSION_HOLD_MS), should a process die first.
 */
export class AdmittedOperation {
  private readonly fields = new Map<string, AdmittedField>();
  private readonly releases: (() => Promise<void>)[] = [];
  private released: Promise<void> | null = null;

  /** `onReleaseError` hears of a hold that could not be given back (it then ends by itself). */
  constructor(private readonly onReleaseError: (error: unknown) => void) {}

  field(responseKey: string): AdmittedField | undefined {
    return this.fields.get(responseKey);
  }

  settle(responseKey: string, settled: AdmittedField): void {
    this.fields.set(responseKey, { ...this.fields.get(responseKey), ...settled });
  }

  /**
   * Something held for the operation, and how to give it back; answers what to call once the
   * operation has used it up (a create wrote the key it held), so that nothing is given back.
   */
  hold(release: () => Promise<void>): () => void {
    this.releases.push(release);
    return () => {
      const at = this.releases.indexOf(release);
      if (at >= 0) this.releases.splice(at, 1);
    };
  }

  /** Gives back everything held, once, every step even when one fails; never rejects. */
  release(): Promise<void> {
    this.released ??= Promise.allSettled(this.releases.map((release) => release())).then((results) => {
      for (const result of results) if (result.status === 'rejected') this.onReleaseError(result.reason);
    });
    return this.released;
  }
}

/**
 * A service's part in admitting a mutation (src/graphql/admission.ts): what the mutation's root
 * fields ask of it, `Request`s in the order they run.
 */
export interface AdmitsOperations<Request> {
  /** Checks the requests' input; throws BAD_USER_INPUT naming every bad field. Reads nothing. */
  check(requests: readonly Request[]): void;
  /**
   * Admits the checked requests before any of them runs, so that none fails for a reason known now
   * (the service says which it finds): throws the first such reason, else settles and holds in
   * `admitted` what the fields will go by. The caller releases `admitted`, whether this throws or
   * the operation runs. `alone`: the request is its operation's only field, whose failure can hide
   * no other field's work: what its own script checks atomically (an idempotency key, the waiting
   * tasks, a schedule slot) is left to it, and is not held.
   */
  admit(requests: readonly Request[], caller: Caller, admitted: AdmittedOperation, alone: boolean): Promise<void>;
}

/** How long admission holds what an operation will use, at most: far longer than any operation runs. */
export const ADMISSION_HOLD_MS = 60_000;
