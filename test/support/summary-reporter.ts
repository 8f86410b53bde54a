import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest';

/** Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []) {
    const counts = { pass: 0, fail: 0, skip: 0 };
    const visit = (task: RunnerTask) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') counts.pass++;
        else if (state === 'fail') counts.fail++;
        else counts.skip++;
      } else if ('tasks' in task) {
        task.tasks.forEach(visit);
      }
    };
    files.forEach(visit);
    // A file that failed to load has no tests but must still count as a failure.
    counts.fail += files.filter((file) => file.result?.state === 'fail' && file.tasks.length === 0).length;
    process.stdout.write(`\n${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped\n`);
  }
}
