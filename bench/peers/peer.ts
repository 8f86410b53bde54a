/** Runs a peer of bench/peers/ in a process of its own, talking to it over IPC. */
import type { ChildProcess } from 'node:child_process';
import { startEntryPoint } from '../../testbed/processes.js';

export interface Peer<Command, Report extends { type: string }> {
  child: ChildProcess;
  send(command: Command): void;
  /** The next report of this type; rejects on an `error` report, on exit, or after timeoutMs. */
  next<T extends Report['type']>(type: T, timeoutMs: number): Promise<Extract<Report, { type: T }>>;
  stop(): Promise<void>;
}

export function startPeer<Command, Report extends { type: string }>(file: string): Peer<Command, Report> {
  const running = startEntryPoint(`bench/peers/${file}`, [], { stdout: 'inherit', stderr: 'inherit', ipc: true });
  const { child } = running;
  return {
    child,
    send(command) {
      // A peer that has finished disconnects; a late command to it is moot, and so is the error of
      // one sent while its channel closes (EPIPE), which would otherwise be thrown as an event.
      if (child.connected) child.send(command as object, () => undefined);
    },
    next(type, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${file}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (message: Report) => {
          if (message.type === type) finish(null, message as Extract<Report, { type: typeof type }>);
          else if (message.type === 'error') finish(new Error(`${file}: ${JSON.stringify(message)}`));
        };
        const onExit = () => finish(new Error(`${file} exited before ${type}`));
        function finish(error: Error | null, value?: Extract<Report, { type: typeof type }>) {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (error || !value) reject(error ?? new Error('no value'));
          else resolve(value);
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    },
    stop: () => running.stop('SIGTERM', 5_000),
  };
}
