import { useEffect, useState } from 'react';

/** The time, refreshed every `everyMs`: for uptimes and for dropping rows that have expired. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
