/**
 * Answers Redis gives instead of running a command while a failover moves a slot or a master: a
 * slot that moved (a command of an auto-pipelined batch ioredis did not redirect, see
 * docs/upstream-reports.md), a cluster or master that is down, a replica still loading or not yet promoted,
 * an old master that is now a replica; and ioredis giving up after sending one of them again and
 * again ("Too many Cluster redirections"). The command did not run: it is safe to send again.
 */
export function isFailoverAnswer(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const last = /^Too many Cluster redirections\. Last error: (?:\w*Error: )?(.*)$/s.exec(error.message);
  return /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN) /.test(last ? last[1]! : error.message);
}

/** Redis does not hold the script a call named by its digest (EVALSHA): it did not run. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT ');
}

/**
 * Each NOSCRIPT answer makes ioredis send the script whole on that connection the next time: a
 * node that lost it again meanwhile (another failover) costs one more try, no more.
 */
const NO_SCRIPT_TRIES = 3;

/**
 * A call that runs scripts (the service's own, or BullMQ's through its API), made again when Redis
 * answers NOSCRIPT.
 *
 * ioredis sends a script by its digest (EVALSHA) on a connection once it has sent it whole (EVAL)
 * there, and on NOSCRIPT sends it whole again, but it counts a script as sent when it writes it, not
 * when Redis runs it: an EVAL that a node refuses without running (CLUSTERDOWN while a master fails
 * over, MOVED, TRYAGAIN) leaves the node without the script, and the Cluster client's next try goes
 * out as EVALSHA. A single command gets NOSCRIPT, then sends the script whole. A command of a
 * pipeline (auto-pipelining puts every command in one) that the Cluster client sends again loses that
 * fallback, and NOSCRIPT is the caller's answer (bench/repro/ioredis-noscript-after-clusterdown.ts;
 * the report to ioredis is in docs/upstream-reports.md). The script did not run, and the next try sends it
 * whole: trying again is safe.
 */
export function againOnNoScript<T>(call: () => Promise<T>, tries = NO_SCRIPT_TRIES): Promise<T> {
  return call().catch((error: unknown) => {
    if (!isNoScript(error) || tries <= 1) throw error;
    return againOnNoScript(call, tries - 1);
  });
}
