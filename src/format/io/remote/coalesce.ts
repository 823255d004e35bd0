// Request coalescing: byte ranges a batch needs (one per chunk) merged into fewer ranged GETs when
// they lie close together, since a request costs a round trip and a few KiB of gap cost almost nothing.

/** Bytes [offset, offset + length) of a file. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** One request: bytes [offset, end), serving the ranges at `members` (positions in the input). */
export interface CoalescedRequest {
  readonly offset: number;
  readonly end: number;
  readonly members: readonly number[];
}

/**
 * Groups `ranges` (any order, overlaps allowed) into requests: ranges in offset order join the
 * current request while the gap before them is at most `maxGap` bytes and the request stays within
 * `maxRequestBytes` (a single longer range is a request of its own).
 * @example coalesceRanges([{ offset: 0, length: 10 }, { offset: 20, length: 10 }], 16, 1 << 20) // one request [0, 30)
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap: number, maxRequestBytes: number): CoalescedRequest[] {
  const order = Array.from(ranges.keys()).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
  const requests: CoalescedRequest[] = [];
  let current: { offset: number; end: number; members: number[] } | undefined;
  for (const position of order) {
    const { offset, length } = ranges[position]!;
    const end = offset + length;
    if (current !== undefined && offset - current.end <= maxGap && Math.max(end, current.end) - current.offset <= maxRequestBytes) {
      current.end = Math.max(current.end, end);
      current.members.push(position);
      continue;
    }
    if (current !== undefined) requests.push(current);
    current = { offset, end, members: [position] };
  }
  if (current !== undefined) requests.push(current);
  return requests;
}
