/** What a process of the benchmarks, and Redis, have used so far: memory and CPU time. */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Resident memory of a process in KiB (Linux). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** CPU time a process has used so far (user and system), in microseconds (Linux). */
export function processCpuMicros(pid: number): number {
  // The fields after the command name, which may hold spaces; utime and stime are the 14th and 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const clockTicks = Number(fields[11]) + Number(fields[12]);
  return (clockTicks * 1_000_000) / 100; // USER_HZ is 100 on Linux
}

/** CPU time the Redis server has used so far (user and system), in microseconds. */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1_000_000;
}
