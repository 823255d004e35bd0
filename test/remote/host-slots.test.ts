// The per-host request limit: one count per host for the whole process, each request admitted while
// fewer than its own limit are in flight, first come first served.

import { describe, expect, it } from 'vitest';
import { HostSlots, slotsOfHost } from '../../src/format/io/remote/host-slots.js';

/** Starts an acquire and reports, after the microtasks have run, whether it was admitted. */
function track(slots: HostSlots, limit: number): { readonly admitted: () => boolean } {
  let admitted = false;
  void slots.acquire(limit).then(() => {
    admitted = true;
  });
  return { admitted: () => admitted };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HostSlots', () => {
  it('counts the requests of readers with different limits together', async () => {
    const slots = new HostSlots();
    const wide = Array.from({ length: 4 }, () => track(slots, 4));
    await settle();
    expect(wide.every((request) => request.admitted())).toBe(true);
    // Four in flight: a reader limited to 2 waits until fewer than 2 are.
    const narrow = track(slots, 2);
    await settle();
    expect(narrow.admitted()).toBe(false);
    slots.release();
    slots.release();
    await settle();
    expect(narrow.admitted()).toBe(false);
    slots.release();
    await settle();
    expect(narrow.admitted()).toBe(true);
  });

  it('admits waiting requests in order: a later one with a higher limit does not pass an earlier one', async () => {
    const slots = new HostSlots();
    await slots.acquire(1);
    const first = track(slots, 1);
    const second = track(slots, 8);
    await settle();
    expect([first.admitted(), second.admitted()]).toEqual([false, false]);
    slots.release();
    await settle();
    // The first takes the freed slot; then one is in flight, under the second's limit of 8.
    expect([first.admitted(), second.admitted()]).toEqual([true, true]);
  });

  it('is one count per origin, whatever the path', () => {
    expect(slotsOfHost('http://127.0.0.1:9000/a/b.array_record')).toBe(slotsOfHost('http://127.0.0.1:9000/c'));
    expect(slotsOfHost('http://127.0.0.1:9000/a')).not.toBe(slotsOfHost('http://127.0.0.1:9001/a'));
  });
});
