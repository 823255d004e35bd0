// Runs async tasks over 0..count-1 with at most `limit` in flight; settles only when none is running.

/**
 * Calls `task(i)` for every i in [0, count), at most `limit` at a time, in order of i.
 * After a task fails no new task starts; the promise rejects with the first error once the tasks
 * already running have settled, so a caller never returns while its own work still holds resources.
 * @example await runBounded(files.length, 8, (i) => openFile(files[i]));
 */
export async function runBounded(count: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure !== undefined) throw failure.error;
}
