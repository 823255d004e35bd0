// Builds the transposed encoder's state machine from the tag sequence, rule for rule as Riegeli's TransposeEncoder does.
//
// Each encoded tag (state) with frequent destinations gets a private list of states right after
// which one transition byte can reach them; the rest are reached through a shared public list.
// Lists longer than 64 states become trees of no-op states (each block holds 64). A state with a
// single destination moves there implicitly, without a transition byte.

import { MAX_TRANSITION, MIN_COUNT_FOR_STATE } from './constants.js';

/** Riegeli's kInvalidPos; kept as the largest u32 because comparisons and minimums rely on it. */
export const INVALID = 0xffff_ffff;

/** Transitions from one encoded tag to one destination, and the destination's state in its private list. */
export interface Destination {
  pos: number;
  count: number;
}

/** The built machine plus what writing transitions needs about each encoded tag. */
export interface StateMachinePlan {
  /** Encoded tag per state, INVALID for no-op states. */
  readonly stateTag: number[];
  /** Base of no-op states (the block they lead to). */
  readonly stateBase: number[];
  /** The no-op state that leads to the block holding this state, INVALID in a list's first block. */
  readonly canonicalSource: number[];
  /** Per encoded tag: where its transitions are counted from; INVALID without outgoing transitions. */
  readonly tagBase: number[];
  /** Per encoded tag: its state in the public list, INVALID if it has none. */
  readonly publicPos: number[];
  /** Per encoded tag: the no-op in its private list that leads to the public list, INVALID if none. */
  readonly publicNoOpPos: number[];
  /** Per encoded tag: its destinations (in order of first occurrence). */
  readonly destinations: Map<number, Destination>[];
}

/**
 * A max-heap on Riegeli's PriorityQueueEntry order: the entry with the fewest transitions comes out
 * first, ties going to the larger destination index, so states are laid out the same way.
 */
class EntryQueue {
  private readonly dest: number[] = [];
  private readonly count: number[] = [];
  /** Transition count of the entry `pop()` removed last. */
  lastCount = 0;

  get size(): number {
    return this.dest.length;
  }

  private before(i: number, j: number): boolean {
    const ci = this.count[i]!;
    const cj = this.count[j]!;
    return ci < cj || (ci === cj && this.dest[i]! > this.dest[j]!);
  }

  private swap(i: number, j: number): void {
    const d = this.dest[i]!;
    this.dest[i] = this.dest[j]!;
    this.dest[j] = d;
    const c = this.count[i]!;
    this.count[i] = this.count[j]!;
    this.count[j] = c;
  }

  push(dest: number, count: number): void {
    this.dest.push(dest);
    this.count.push(count);
    let i = this.dest.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top entry; returns its destination, with its count in `lastCount`. */
  pop(): number {
    const topDest = this.dest[0]!;
    this.lastCount = this.count[0]!;
    const lastDest = this.dest.pop()!;
    const lastCount = this.count.pop()!;
    const n = this.dest.length;
    if (n > 0) {
      this.dest[0] = lastDest;
      this.count[0] = lastCount;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && this.before(right, left) ? right : left;
        if (!this.before(child, i)) break;
        this.swap(child, i);
        i = child;
      }
    }
    return topDest;
  }
}

/**
 * Counts transitions between consecutive encoded tags, walking the sequence backwards as the
 * decoder does; the initial state always counts one incoming transition so it gets a state.
 */
function collectTransitions(numTags: number, sequence: Int32Array, length: number): { destinations: Map<number, Destination>[]; incoming: number[] } {
  const destinations = Array.from({ length: numTags }, () => new Map<number, Destination>());
  const incoming = new Array<number>(numTags).fill(0);
  let previous = sequence[length - 1]!;
  for (let i = length - 1; i > 0; i--) {
    const current = sequence[i - 1]!;
    const map = destinations[previous]!;
    const destination = map.get(current);
    if (destination === undefined) map.set(current, { pos: INVALID, count: 1 });
    else destination.count++;
    incoming[current]!++;
    previous = current;
  }
  const initial = sequence[length - 1]!;
  if (incoming[initial] === 0) incoming[initial] = 1;
  return { destinations, incoming };
}

/**
 * Lays out the states of one list (a private list or the public one) at the end of `plan`, taking
 * entries from `queue` fewest-transitions first from the back, so frequent states get small
 * offsets; blocks beyond the first are reached through no-op states. `place` records each state.
 */
function layOutList(
  plan: StateMachinePlan,
  queue: EntryQueue,
  numTags: number,
  place: (state: number, dest: number) => void,
): void {
  let numStates = queue.size;
  const noOpStates = numStates <= MAX_TRANSITION + 1 ? 0 : Math.floor((numStates - 2) / MAX_TRANSITION);
  numStates += noOpStates;
  let previous = plan.stateTag.length + numStates;
  while (plan.stateTag.length < previous) {
    plan.stateTag.push(INVALID);
    plan.stateBase.push(INVALID);
    plan.canonicalSource.push(INVALID);
  }
  let blockSize = ((numStates - 1) % (MAX_TRANSITION + 1)) + 1;
  const noOpBases: number[] = [];
  for (;;) {
    let blockWeight = 0;
    for (let i = 0; i < blockSize; i++) {
      const dest = queue.pop();
      blockWeight = (blockWeight + queue.lastCount) >>> 0;
      const state = --previous;
      if (dest !== INVALID && dest >= numTags) {
        // A no-op state leading to a block laid out earlier (further back).
        const base = noOpBases[dest - numTags]!;
        plan.stateTag[state] = INVALID;
        plan.stateBase[state] = base;
        for (let j = 0; j <= MAX_TRANSITION && base + j < plan.stateTag.length; j++) plan.canonicalSource[base + j] = state;
      } else {
        place(state, dest);
      }
    }
    if (queue.size === 0) break;
    queue.push(numTags + noOpBases.length, blockWeight);
    noOpBases.push(previous);
    blockSize = MAX_TRANSITION + 1;
  }
}

/**
 * Finds, for a state whose transitions go through the public list, the smallest base from which
 * every needed public state (or a no-op leading to it) is one transition byte away.
 */
function commonBase(plan: StateMachinePlan, publicListBase: number, destinations: Map<number, Destination>): number {
  const { canonicalSource, stateBase } = plan;
  let base = INVALID;
  let minPos = INVALID;
  for (const [dest, destination] of destinations) {
    if (destination.pos !== INVALID) continue;
    let pos = plan.publicPos[dest]!;
    while (base > pos || pos - base > MAX_TRANSITION) {
      if (base > pos) {
        let source: number;
        if (base === INVALID) {
          source = canonicalSource[pos]!;
        } else {
          source = canonicalSource[base]!;
          minPos = Math.min(minPos, source);
          source = canonicalSource[source]!;
        }
        base = source === INVALID ? publicListBase : stateBase[source]!;
      } else {
        pos = canonicalSource[pos]!;
      }
    }
    minPos = Math.min(minPos, pos);
  }
  return minPos;
}

/**
 * Builds the state machine for a sequence of encoded tags (indices below `numTags`).
 * An empty sequence gives the single no-op state Riegeli writes for a chunk without records.
 */
export function buildStateMachine(numTags: number, sequence: Int32Array, length: number): StateMachinePlan {
  if (length === 0) {
    return {
      stateTag: [INVALID],
      stateBase: [0],
      canonicalSource: [INVALID],
      tagBase: [],
      publicPos: [],
      publicNoOpPos: [],
      destinations: [],
    };
  }
  const { destinations, incoming } = collectTransitions(numTags, sequence, length);
  const plan: StateMachinePlan = {
    stateTag: [],
    stateBase: [],
    canonicalSource: [],
    tagBase: new Array<number>(numTags).fill(INVALID),
    publicPos: new Array<number>(numTags).fill(INVALID),
    publicNoOpPos: new Array<number>(numTags).fill(INVALID),
    destinations,
  };

  // Frequent destinations go to private lists; the counts left estimate the public traffic.
  const IN_LIST = 0;
  for (const map of destinations) {
    for (const [dest, destination] of map) {
      if (destination.count >= MIN_COUNT_FOR_STATE) {
        incoming[dest]! -= destination.count;
        destination.pos = IN_LIST;
      }
    }
  }

  const queue = new EntryQueue();
  const publicNoOps: number[] = [];
  for (let tag = 0; tag < numTags; tag++) {
    const map = destinations[tag]!;
    let excludedDest = INVALID;
    let excludedCount = 0;
    let numExcludedTransitions = 0;
    for (const [dest, destination] of map) {
      // Also private: a destination reached from this tag only.
      if (destination.pos === IN_LIST || destination.count === incoming[dest]) {
        if (destination.pos !== IN_LIST) incoming[dest]! -= destination.count;
        queue.push(dest, destination.count);
      } else {
        numExcludedTransitions += destination.count;
        excludedDest = dest;
        excludedCount = destination.count;
      }
    }
    if (queue.size === 0) continue;
    if (queue.size + 1 === map.size) {
      // A single destination left for the public list costs less as a private state.
      queue.push(excludedDest, excludedCount);
      incoming[excludedDest]! -= excludedCount;
    }
    // Destinations left out are reached through a no-op state leading to the public list.
    if (queue.size !== map.size) queue.push(INVALID, numExcludedTransitions);
    plan.tagBase[tag] = plan.stateTag.length;
    layOutList(plan, queue, numTags, (state, dest) => {
      if (dest === INVALID) {
        plan.stateTag[state] = INVALID;
        plan.stateBase[state] = INVALID;
        plan.publicNoOpPos[tag] = state;
        publicNoOps.push(tag, state);
      } else {
        plan.stateTag[state] = dest;
        plan.stateBase[state] = INVALID;
        map.get(dest)!.pos = state;
      }
    });
  }

  const publicListBase = plan.stateTag.length;
  for (let tag = 0; tag < numTags; tag++) {
    if (incoming[tag] !== 0) queue.push(tag, incoming[tag]!);
  }
  if (queue.size > 0) {
    layOutList(plan, queue, numTags, (state, dest) => {
      plan.stateTag[state] = dest;
      plan.stateBase[state] = INVALID;
      plan.publicPos[dest] = state;
    });
  }

  for (let i = 0; i < publicNoOps.length; i += 2) {
    const tag = publicNoOps[i]!;
    plan.stateBase[publicNoOps[i + 1]!] = commonBase(plan, publicListBase, destinations[tag]!);
  }
  for (let tag = 0; tag < numTags; tag++) {
    if (plan.tagBase[tag] !== INVALID) continue;
    const base = commonBase(plan, publicListBase, destinations[tag]!);
    if (base !== INVALID) plan.tagBase[tag] = base;
  }
  return plan;
}
