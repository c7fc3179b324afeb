import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export const POLL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  updatedAt: Date | undefined;
  reload: () => void;
}

/** Loads `load()` now and every `ms` while mounted (and again when `key` changes); keeps the last good data. */
export function usePoll<T>(load: () => Promise<T>, key: string, ms = POLL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [updatedAt, setUpdatedAt] = useState<Date | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);

  const reload = useCallback(() => {
    const mine = ++seq.current;
    loader.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setUpdatedAt(new Date());
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    reload();
    const timer = setInterval(reload, ms);
    return () => {
      clearInterval(timer);
      seq.current++;
    };
  }, [key, ms, reload]);

  return { data, error, updatedAt, reload };
}
