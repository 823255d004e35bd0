// Weighted, seeded mixing of several sources (Grain's `mix`, tf.data's `sample_from_datasets`): epoch e of
// the mix interleaves epoch e of every component, choosing the component of each position at random in
// proportion to the weights, from a hash of (seed, epoch, position) so that no generator state is kept.

import { InvalidOptionsError, OutOfRangeError } from '../format/errors.js';
import { checkOptions, describeFound, type OptionAliases, optionNames, requireBoolean, requireSeed } from '../format/options-check.js';
import { requireSampler } from '../samplers/checks.js';
import type { Sampler, SamplerDescription } from '../samplers/sampler.js';
import { epochSpan, samplerEpochs, type ElementPlan, type EpochSpan, type PlanCursor, type PlanPosition } from './epoch-plan.js';
import type { RecordSource } from './read-block.js';
import { uniformAt } from './record-rng.js';

/** One source of a mix, with the order its records are taken in and its share. */
export interface MixComponent {
  /** Where this component's records come from. */
  readonly source: RecordSource;
  /** The order this component's records are taken in; epoch e of the mix takes its epoch e. */
  readonly sampler: Sampler;
  /** Relative probability of drawing from this component (positive, finite; need not sum to 1). */
  readonly weight: number;
}

/**
 * How to mix (Grain's `mix`, tf.data's `sample_from_datasets`): each position draws a component with
 * probability proportional to its weight, from a hash of (seed, epoch, position).
 */
export interface MixOptions {
  /** The sources mixed, each with its sampler and weight. */
  readonly components: readonly MixComponent[];
  /** Seed of the draws (an integer in [0, 2^32)). */
  readonly seed: number;
  /**
   * false (default, tf.data's default): when a component runs out of its epoch, draw from the others
   * until every component's epoch is used up, so each record of each epoch is seen once.
   * true: end the mix's epoch the first time a draw picks a component that has run out.
   */
  readonly stopOnEmpty?: boolean;
}

const OWNER = 'mix';
const KEYS = optionNames<MixOptions>({ components: true, seed: true, stopOnEmpty: true });
const COMPONENT_KEYS = optionNames<MixComponent>({ source: true, sampler: true, weight: true });
const ALIASES: OptionAliases = {
  sources: { option: 'components', note: 'a list of { source, sampler, weight }' },
  weights: { option: 'components', note: 'each component { source, sampler, weight } has its own weight' },
};
/** Distinguishes mixing draws from every other use of the record hash. */
const MIX_TAG = 0x6d69_7800;

/**
 * Epoch e of the mix is the components' epochs e, interleaved: at each position a component is drawn
 * with probability weight / (sum of the eligible components' weights). Without `stopOnEmpty` the
 * eligible components are those with records left in the epoch, so the mixed epoch has as many
 * elements as the components' epochs together; with it, every component that has the epoch is
 * eligible and the epoch ends when an exhausted one is drawn. The mix has as many epochs as its
 * shortest component. To upsample a small source, list it twice (with two seeds for its samplers).
 * @throws InvalidOptionsError for no components, a bad weight, sampler, seed or stopOnEmpty, or an
 *   unknown option of the mix or a component (named, with the nearest known one).
 */
export class MixPlan implements ElementPlan {
  readonly numEpochs: number;
  readonly firstEpoch: number;
  private readonly samplers: readonly Sampler[];
  private readonly weights: Float64Array;
  private readonly seed: number;
  private readonly stopOnEmpty: boolean;

  constructor(options: MixOptions) {
    checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
    const { components } = options;
    if (!Array.isArray(components) || components.length === 0) {
      throw new InvalidOptionsError(`${OWNER}: needs at least one component { source, sampler, weight }`);
    }
    this.samplers = components.map((component, j) => {
      checkOptions(OWNER, component, COMPONENT_KEYS, { name: `components[${j}]` });
      return requireSampler(OWNER, `components[${j}].sampler`, component.sampler);
    });
    this.weights = Float64Array.from(components, (component, j) => {
      const { weight } = component;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        throw new InvalidOptionsError(`${OWNER}: components[${j}].weight must be a positive finite number (got ${describeFound(weight)})`);
      }
      return weight;
    });
    this.seed = requireSeed(OWNER, options.seed);
    this.stopOnEmpty = requireBoolean(OWNER, 'stopOnEmpty', options.stopOnEmpty, false);
    this.numEpochs = Math.min(...this.samplers.map(samplerEpochs));
    this.firstEpoch = Math.min(...this.samplers.map((sampler) => (sampler.length === 0 ? 0 : sampler.epochAt(0))));
  }

  epochLength(epoch: number): number | undefined {
    if (this.stopOnEmpty) return undefined;
    let total = 0;
    for (const sampler of this.samplers) total += epochSpan(sampler, epoch).length;
    return total;
  }

  cursor(position: PlanPosition): PlanCursor {
    const spans = this.samplers.map((sampler) => epochSpan(sampler, position.epoch));
    const counts = new Float64Array(spans.length);
    if (position.offset > 0 || position.counts !== undefined) {
      const given = position.counts;
      if (given === undefined || given.length !== spans.length) {
        throw new OutOfRangeError(
          `${OWNER}: a position inside epoch ${position.epoch} needs the count of each of the ${spans.length} components ` +
            `(got ${given === undefined ? 'none' : given.length})`,
        );
      }
      let total = 0;
      given.forEach((count, j) => {
        if (!Number.isSafeInteger(count) || count < 0 || count > spans[j]!.length) {
          throw new OutOfRangeError(
            `${OWNER}: component ${j} count ${count} is outside [0, ${spans[j]!.length}] for epoch ${position.epoch}`,
          );
        }
        counts[j] = count;
        total += count;
      });
      if (total !== position.offset) {
        throw new OutOfRangeError(`${OWNER}: component counts add up to ${total}, not to the position ${position.offset}`);
      }
    }
    return new MixCursor(spans, this.weights, counts, this.seed, this.stopOnEmpty, position);
  }

  describe(): SamplerDescription {
    return {
      kind: 'Mix',
      seed: this.seed,
      stopOnEmpty: this.stopOnEmpty,
      weights: Array.from(this.weights),
      samplers: this.samplers.map((sampler) => sampler.describe()),
    };
  }
}

class MixCursor implements PlanCursor {
  private readonly epoch: number;
  private offset: number;

  constructor(
    private readonly spans: readonly EpochSpan[],
    private readonly weights: Float64Array,
    private readonly taken: Float64Array,
    private readonly seed: number,
    private readonly stopOnEmpty: boolean,
    position: PlanPosition,
  ) {
    this.epoch = position.epoch;
    this.offset = position.offset;
  }

  fill(sources: Int32Array, keys: Float64Array): number {
    let count = 0;
    while (count < keys.length) {
      const component = this.draw();
      if (component < 0) break;
      const span = this.spans[component]!;
      keys[count] = span.sampler.keyAt(span.start + this.taken[component]!);
      sources[count] = component;
      this.taken[component]!++;
      this.offset++;
      count++;
    }
    return count;
  }

  ended(): boolean {
    return this.draw() < 0;
  }

  counts(): Float64Array {
    return this.taken.slice();
  }

  /** The component of the current position, or -1 when the epoch is over. */
  private draw(): number {
    let total = 0;
    for (let j = 0; j < this.spans.length; j++) if (this.eligible(j)) total += this.weights[j]!;
    if (total === 0) return -1;
    let target = uniformAt(this.seed, MIX_TAG, this.epoch, this.offset) * total;
    let chosen = -1;
    for (let j = 0; j < this.spans.length; j++) {
      if (!this.eligible(j)) continue;
      chosen = j;
      target -= this.weights[j]!;
      if (target < 0) break;
    }
    if (this.taken[chosen]! >= this.spans[chosen]!.length) return -1;
    return chosen;
  }

  private eligible(component: number): boolean {
    const length = this.spans[component]!.length;
    return this.stopOnEmpty ? length > 0 : this.taken[component]! < length;
  }
}
