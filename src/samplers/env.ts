// Rank and world size from torchrun-style environment variables (RANK, WORLD_SIZE), with strict parsing.

import { InvalidOptionsError } from '../format/errors.js';
import { checkOptions, requireBoolean, requireInteger } from './checks.js';
import { shardOptions, type ShardOptions } from './shard-options.js';

/** An environment: `process.env` or any plain object of strings. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** This process's place in a distributed job. */
export interface DistributedPlacement {
  readonly rank: number;
  readonly worldSize: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function parseVariable(env: Environment, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidOptionsError(`environment variable ${name} must be a non-negative decimal integer (got '${raw}')`);
  }
  return Number(text);
}

/**
 * Reads `RANK` and `WORLD_SIZE` as torchrun sets them. Neither set means a single process
 * (rank 0 of 1); one without the other is an error, since guessing would silently duplicate
 * or skip data.
 *
 * @throws InvalidOptionsError if a value is not a decimal integer, only one of the two is set,
 *   WORLD_SIZE is 0, or RANK >= WORLD_SIZE.
 * @example
 * placementFromEnv({ RANK: '1', WORLD_SIZE: '4' }); // { rank: 1, worldSize: 4 }
 * placementFromEnv({}); // { rank: 0, worldSize: 1 }
 */
export function placementFromEnv(env: Environment = process.env): DistributedPlacement {
  const rank = parseVariable(env, 'RANK');
  const worldSize = parseVariable(env, 'WORLD_SIZE');
  if (rank === undefined && worldSize === undefined) return { rank: 0, worldSize: 1 };
  if (worldSize === undefined) {
    throw new InvalidOptionsError(`environment variable RANK is set ('${env.RANK}') but WORLD_SIZE is not`);
  }
  if (rank === undefined) {
    throw new InvalidOptionsError(`environment variable WORLD_SIZE is set ('${env.WORLD_SIZE}') but RANK is not`);
  }
  if (worldSize === 0) throw new InvalidOptionsError('environment variable WORLD_SIZE must be at least 1 (got 0)');
  if (rank >= worldSize) {
    throw new InvalidOptionsError(`environment variable RANK (${rank}) must be below WORLD_SIZE (${worldSize})`);
  }
  return { rank, worldSize };
}

/**
 * Grain {@link ShardOptions} for this process from `RANK`/`WORLD_SIZE` (see {@link placementFromEnv}).
 * @throws InvalidOptionsError as placementFromEnv, for a non-boolean dropRemainder, or an unknown
 *   option (named, with the nearest known one: `drop_last` suggests dropRemainder).
 * @example
 * const options = shardOptionsFromEnv(process.env, { dropRemainder: true });
 */
export function shardOptionsFromEnv(
  env: Environment = process.env,
  options: { readonly dropRemainder?: boolean } = {},
): ShardOptions {
  checkOptions('shardOptionsFromEnv', options, ['dropRemainder']);
  const dropRemainder = requireBoolean('shardOptionsFromEnv', 'dropRemainder', options.dropRemainder, false);
  const { rank, worldSize } = placementFromEnv(env);
  return shardOptions(rank, worldSize, dropRemainder);
}

/**
 * The rank and world size a sampler was given, or both from `env` when neither was (a sampler-internal
 * helper). `rankName` / `worldSizeName` are the option names used in messages.
 * @throws InvalidOptionsError if only one is given, they are not integers, or rank >= world size.
 */
export function resolvePlacement(
  owner: string,
  rank: number | undefined,
  worldSize: number | undefined,
  env: Environment | undefined,
  rankName = 'rank',
  worldSizeName = 'worldSize',
): DistributedPlacement {
  if (rank === undefined && worldSize === undefined) return placementFromEnv(env ?? process.env);
  if (rank === undefined || worldSize === undefined) {
    throw new InvalidOptionsError(
      `${owner}: give both ${rankName} and ${worldSizeName}, or neither (then RANK/WORLD_SIZE are read)`,
    );
  }
  const checkedWorldSize = requireInteger(owner, worldSizeName, worldSize, 1);
  const checkedRank = requireInteger(owner, rankName, rank, 0);
  if (checkedRank >= checkedWorldSize) {
    throw new InvalidOptionsError(`${owner}: ${rankName} must be in [0, ${checkedWorldSize - 1}] (got ${checkedRank})`);
  }
  return { rank: checkedRank, worldSize: checkedWorldSize };
}
