/** What a process of the benchmarks, and Redis, have used so far: memory and CPU time. */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { fieldsOf } from '../../testbed/redis-nodes.js';

/** Resident memory of a process in KiB (Linux). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** CPU time a process has used so far (user and system), in microseconds (Linux). */
export function processCpuMicros(pid: number): number {
  const { user, system } = processCpuSplit(pid);
  return user + system;
}

/** CPU time a process has used so far in its own code (user) and in the kernel (system), in microseconds. */
export function processCpuSplit(pid: number): { user: number; system: number } {
  // The fields after the command name, which may hold spaces; utime and stime are the 14th and 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const micros = (ticks: string | undefined) => (Number(ticks) * 1_000_000) / 100; // USER_HZ is 100 on Linux
  return { user: micros(fields[11]), system: micros(fields[12]) };
}

/** CPU time the Redis server has used so far (user and system), in microseconds. */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1_000_000;
}

/**
 * CPU time the Redis servers on these loopback ports have used so far (user and system), summed, in
 * microseconds: a cluster's masters and replicas, say.
 */
export async function nodesCpuMicros(ports: readonly number[]): Promise<number> {
  const infos = await Promise.all(ports.map((port) => fieldsOf(port, 'INFO', 'cpu')));
  const seconds = infos.map((info) => Number(info.get('used_cpu_user')) + Number(info.get('used_cpu_sys')));
  return seconds.reduce((sum, value) => sum + value, 0) * 1_000_000;
}

/** System calls a process has made so far that read or write (sockets, files), and the bytes it wrote, from /proc (Linux). */
export function processSyscalls(pid: number): { reads: number; writes: number; bytesWritten: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { reads: field('syscr'), writes: field('syscw'), bytesWritten: field('wchar') };
}
