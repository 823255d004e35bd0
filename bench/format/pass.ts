// What one fresh process reports for one measure: the untimed warm-up pass, then the timed pass.

/** One process's figures for one measure, printed as one JSON line on stdout. */
export interface PassResult {
  readonly measure: string;
  /** Records the timed pass handled. */
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** The first (warm-up) pass, from a fresh process: how far it is from steady state. */
  readonly firstPassSeconds: number;
  readonly firstPassRecordsPerSecond: number;
  /** CPU seconds (user + system, every thread of the process) of the timed pass: steadier than wall time on a busy machine. */
  readonly cpuSeconds?: number;
  /** Minor page faults of the process (every thread) during the timed pass: fresh memory touched. */
  readonly pageFaults?: number;
  /** Threads (or workers) the measure may use. */
  readonly threads?: number;
}

/** Runs `pass` twice (warm-up, then timed) and returns the figures. */
export async function twoPasses(measure: string, records: number, pass: (round: number) => Promise<unknown> | unknown): Promise<PassResult> {
  const time = async (round: number): Promise<number> => {
    const start = process.hrtime.bigint();
    await pass(round);
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const firstPassSeconds = await time(0);
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  const seconds = await time(1);
  const { user, system } = process.cpuUsage(cpu);
  const pageFaults = process.resourceUsage().minorPageFault - faults;
  return {
    measure,
    records,
    seconds,
    cpuSeconds: (user + system) / 1e6,
    pageFaults,
    recordsPerSecond: records / seconds,
    firstPassSeconds,
    firstPassRecordsPerSecond: records / firstPassSeconds,
  };
}
