// The transform module TfdsDataset.loaderTransforms hands to the DataLoader's workers: each worker imports
// it with the dataset directory in its URL (`decode-transforms.js?dir=...`), opens the dataset and exports
// the same decode step as the main thread's list.

import { InvalidOptionsError } from '../format/errors.js';
import type { Transform } from '../loader/transforms.js';
import { TfdsDataset } from './tfds-dataset.js';

const dir = new URL(import.meta.url).searchParams.get('dir');
if (dir === null || dir === '') {
  throw new InvalidOptionsError('the TFDS decode module needs the dataset directory in its URL (?dir=...): use TfdsDataset.loaderTransforms');
}

/** The decode step of the dataset named by this module's URL. */
export const transforms: readonly Transform[] = (await TfdsDataset.open(dir)).decodeTransforms();
