import { useEffect, useRef } from 'react';

/**
 * Reads a query again `afterMs` after `count` grows (a count of events the page has seen: tasks
 * ending, schedules running); a burst of them reads once.
 */
export function useRefetchSoon(count: number, refetch: () => Promise<unknown>, afterMs: number): void {
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (count === 0 || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void refetch().catch(() => undefined); // shown by the query's own error
    }, afterMs);
  }, [count, refetch, afterMs]);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
}
