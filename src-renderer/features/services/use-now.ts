import { useEffect, useState } from 'react';

/** The current time, refreshed every second while mounted (local clock only, no IPC). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
