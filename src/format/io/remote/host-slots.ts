// How many requests may be in flight to one host: one count per host (origin) for the whole process,
// each request admitted only while fewer than its own reader's maxConnectionsPerHost are in flight. (A
// count per host and limit let two readers with limits 16 and 4 keep 20 requests in flight together.)

/** The requests in flight to one host, and those waiting for a slot, first come first served. */
export class HostSlots {
  private held = 0;
  private readonly waiting: { readonly limit: number; readonly admit: () => void }[] = [];

  /**
   * Resolves once fewer than `limit` requests are in flight and every request that waited before this
   * one has been admitted; the caller must `release()` after its request ends.
   * @example await slots.acquire(16); try { await fetch(url); } finally { slots.release(); }
   */
  async acquire(limit: number): Promise<void> {
    if (this.waiting.length === 0 && this.held < limit) {
      this.held++;
      return;
    }
    await new Promise<void>((admit) => this.waiting.push({ limit, admit }));
  }

  /** Ends one request: the waiting ones are admitted in order while their limits allow. */
  release(): void {
    this.held--;
    while (this.waiting.length > 0 && this.held < this.waiting[0]!.limit) {
      this.held++;
      this.waiting.shift()!.admit();
    }
  }
}

const hosts = new Map<string, HostSlots>();

/**
 * The slots of the host `url` names, shared by every reader in the process.
 * @example const slots = slotsOfHost('https://bucket.s3.amazonaws.com/a.array_record');
 */
export function slotsOfHost(url: string): HostSlots {
  const origin = new URL(url).origin;
  let slots = hosts.get(origin);
  if (slots === undefined) hosts.set(origin, (slots = new HostSlots()));
  return slots;
}
