// Loads the sampler test vectors: Grain's (fixtures/grain), and ours computed by upstream code (fixtures/).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Grain's vectors, kept in the repository. */
export const GRAIN_DIR = path.resolve(HERE, 'fixtures/grain');

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export interface IndexShuffleVector {
  readonly max_index: number;
  readonly seed: number;
  readonly rounds: number;
  readonly first: readonly number[];
}

export interface IndexSamplerCase {
  readonly num_records: number;
  readonly shard_count: number;
  readonly drop_remainder: boolean;
  readonly shuffle: boolean;
  readonly seed: number | null;
  readonly num_epochs: number;
  readonly record_keys_by_shard_index: readonly (readonly number[])[];
}

export interface UpstreamVectors {
  readonly index_shuffle: readonly {
    readonly max_index: number;
    readonly seed: number;
    readonly rounds: number;
    readonly pairs: readonly (readonly [number, number])[];
  }[];
  readonly seed_seq: readonly { readonly seeds: readonly number[]; readonly output: readonly number[] }[];
}

export interface TorchVectors {
  readonly torch_version: string;
  readonly randperm: readonly {
    readonly n: number;
    readonly seed: number;
    readonly first: readonly number[];
    readonly last: readonly number[];
    readonly weighted_sum: number;
  }[];
  readonly distributed_sampler: readonly {
    readonly num_records: number;
    readonly num_replicas: number;
    readonly shuffle: boolean;
    readonly seed: number;
    readonly drop_last: boolean;
    readonly epoch: number;
    readonly indices_by_rank: readonly (readonly number[])[];
  }[];
}

export const grainIndexShuffleVectors = (): readonly IndexShuffleVector[] =>
  readJson<{ vectors: IndexShuffleVector[] }>(path.join(GRAIN_DIR, 'index_shuffle_vectors.json')).vectors;

export const grainIndexSamplerCases = (): readonly IndexSamplerCase[] =>
  readJson<{ cases: IndexSamplerCase[] }>(path.join(GRAIN_DIR, 'index_sampler_vectors.json')).cases;

export const upstreamVectors = (): UpstreamVectors => readJson(path.join(HERE, 'fixtures/upstream-vectors.json'));

export const torchVectors = (): TorchVectors => readJson(path.join(HERE, 'fixtures/torch-vectors.json'));
