// Which parsed features become a model's inputs and targets: a type of its own, without tfjs's, so that
// modules naming it (array-record/tfds) do not need tfjs installed to type-check.

import type { ExampleSpec } from '../example/feature-spec.js';

/**
 * Which parsed features become the model's inputs and targets.
 * @example const mapping: ElementMapping<typeof spec> = { xs: 'image', ys: 'label', oneHot: 10 };
 */
export interface ElementMapping<S extends ExampleSpec> {
  /** Feature name(s) for `xs`; several names give `xs` as an object keyed by name. */
  readonly xs: (keyof S & string) | readonly (keyof S & string)[];
  /** Feature name for `ys`. */
  readonly ys?: keyof S & string;
  /** Turn integer `ys` labels into one-hot rows of this depth (for categoricalCrossentropy). */
  readonly oneHot?: number;
}
