import type { TaskLogLevel } from '../core/task-definition.js';
import type { RunLog } from '../core/task-store.js';
import type { LogLine, RunRecorder } from './task-run.js';

/** How long a run's log line may wait for the run's next script call before it goes out on its own. */
const HOLD_MS = 50;

/**
 * A run's log lines, held a moment: those written just before the run ends (a kind's last line, a
 * failure's) go out in the end's own script call, one call fewer per run. Any other goes out on its
 * own after HOLD_MS, on the same connection as the run's calls, so the log keeps the order they
 * were written in.
 */
export class RunLogLines {
  private held: { level: TaskLogLevel; message: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly recorder: RunRecorder,
    private readonly taskId: string,
  ) {}

  readonly write: LogLine = (message, level = 'info') => {
    this.held.push({ level, message });
    // Once the run has ended, no call of its own comes to take a line: it goes out at once.
    if (this.ended) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), HOLD_MS);
  };

  /** What is held, for the run's end script call, which writes it; later lines go out at once. */
  end(): RunLog {
    this.ended = true;
    return this.take();
  }

  private take(): RunLog {
    const lines = this.held;
    this.held = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return { lines, maxLines: this.recorder.maxLogLines };
  }

  private flush(): void {
    const { lines, maxLines } = this.take();
    const { store, logger } = this.recorder;
    store
      .appendLogs(this.taskId, lines, maxLines)
      .catch((error: Error) =>
        logger.debug({ taskId: this.taskId, err: error.message }, 'could not write task log lines'),
      );
  }
}
