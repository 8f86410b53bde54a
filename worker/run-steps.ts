import type { Step } from '../core/task-store.js';

/**
 * The steps of one run, as its processor reports them, recorded one after the other. A last step
 * (current = total) is held back until the run ends or the event loop turns once, whichever comes
 * first: a processor that returns right after it has it recorded with the end, in one script call
 * (both changes still get their own event, in order).
 */
export class RunSteps {
  private held: Step | null = null;
  private sent: Promise<void> = Promise.resolve();
  private cancelled = false;

  /**
   * @param record records a step; false when the run must stop (cancelled, deleted, taken over).
   * @param onCancelled called when a step was refused.
   */
  constructor(
    private readonly record: (step: Step) => Promise<boolean>,
    private readonly onCancelled: () => void,
  ) {}

  async report(step: Step): Promise<void> {
    this.release();
    await this.sent;
    if (step.current >= step.total) {
      this.held = step;
      setImmediate(() => this.release());
      return;
    }
    await this.send(step);
  }

  /** Waits for a step on its way, if any: true when a step was refused. */
  async settled(): Promise<boolean> {
    await this.sent;
    return this.cancelled;
  }

  /** The held last step, for the end to record with it (and no longer to go out by itself). */
  takeHeld(): Step | null {
    const step = this.held;
    this.held = null;
    return step;
  }

  private release(): void {
    const step = this.takeHeld();
    if (step) this.send(step).catch(() => undefined); // its failure reaches the next step or the end
  }

  private send(step: Step): Promise<void> {
    this.sent = this.record(step).then((active) => {
      if (active) return;
      this.cancelled = true;
      this.onCancelled();
    });
    return this.sent;
  }
}
