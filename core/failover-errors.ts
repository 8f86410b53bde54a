/**
 * Answers Redis gives instead of running a command while a failover moves a slot or a master: a
 * slot that moved (a command of an auto-pipelined batch ioredis did not redirect, see
 * RELIABILITY.md), a cluster or master that is down, a replica still loading or not yet promoted,
 * an old master that is now a replica. The command did not run: it is safe to send again.
 */
export function isFailoverAnswer(error: unknown): boolean {
  return error instanceof Error && /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN) /.test(error.message);
}
