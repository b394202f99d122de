/** The part of a store that tracks in-flight actions by key, with a label to show in place. */
export interface PendingSlice<K extends string> {
  pending: Partial<Record<K, string>>;
}

type SetPending<K extends string> = (fn: (s: PendingSlice<K>) => Partial<PendingSlice<K>>) => void;

/**
 * Marks `key` busy with `label` while `work` runs, then clears it, whatever the outcome (errors
 * propagate to the caller). The one place the stores' busy flags are set and cleared.
 */
export async function whilePending<K extends string, T>(
  set: SetPending<K>,
  key: K,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  set((s) => ({ pending: { ...s.pending, [key]: label } }));
  try {
    return await work();
  } finally {
    set((s) => {
      const pending = { ...s.pending };
      delete pending[key];
      return { pending };
    });
  }
}
