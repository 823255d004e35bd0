// This process's place in a distributed job from the launcher's environment variables (torchrun, Open MPI,
// MPICH/PMI, Slurm, Kubernetes Indexed Jobs), in a fixed order of precedence, with strict parsing.

import { InvalidOptionsError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { checkOptions, optionNames, requireBoolean, requireEnvironment, requireInteger } from './checks.js';
import { shardOptions, type ShardOptions } from './shard-options.js';

/** An environment: `process.env` or any plain object of strings. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * This process's place in a distributed job.
 * @example const { rank, worldSize }: DistributedPlacement = placementFromEnv();
 */
export interface DistributedPlacement {
  /** This process's rank in [0, worldSize). */
  readonly rank: number;
  /** The number of processes (ranks) in the job. */
  readonly worldSize: number;
}

/**
 * The launchers whose variables placementFromEnv reads, in its order of precedence.
 * @example const launcher: Launcher | undefined = placementFromEnv().launcher; // e.g. 'slurm'
 */
export type Launcher = 'torchrun' | 'openmpi' | 'mpich' | 'slurm' | 'kubernetes';

/**
 * A placement read from the environment, with the node-local place and where it came from.
 * @example const device = `cuda:${placementFromEnv().localRank ?? 0}`;
 */
export interface EnvironmentPlacement extends DistributedPlacement {
  /** This process's rank among the processes of its node; undefined when the launcher does not say. */
  readonly localRank: number | undefined;
  /** The number of processes on its node; undefined when the launcher does not say. */
  readonly localWorldSize: number | undefined;
  /** The launcher whose variables gave the placement; undefined for a single process (none set). */
  readonly launcher: Launcher | undefined;
}

/**
 * Options of placementFromEnv.
 * @example placementFromEnv(process.env, { worldSize: 8 }); // a Kubernetes Indexed Job of 8 completions
 */
export interface PlacementFromEnvOptions {
  /**
   * The job's number of processes when the launcher does not export it (a Kubernetes Indexed Job's
   * `completions`); when the launcher does, both must agree.
   */
  readonly worldSize?: number;
}

/** One launcher's variables. */
interface LauncherVariables {
  readonly launcher: Launcher;
  readonly rank: string;
  /** Undefined: the size is the caller's `worldSize` (Kubernetes). */
  readonly size: string | undefined;
  readonly localRank: string | undefined;
  readonly localSize: string | undefined;
}

/**
 * The launchers, innermost first: a launcher started by another (torchrun under srun or mpirun, mpirun
 * in an sbatch script, anything in a Kubernetes pod) sees the outer one's variables too, and the inner
 * one's describe this process.
 */
const LAUNCHERS: readonly LauncherVariables[] = [
  { launcher: 'torchrun', rank: 'RANK', size: 'WORLD_SIZE', localRank: 'LOCAL_RANK', localSize: 'LOCAL_WORLD_SIZE' },
  { launcher: 'openmpi', rank: 'OMPI_COMM_WORLD_RANK', size: 'OMPI_COMM_WORLD_SIZE', localRank: 'OMPI_COMM_WORLD_LOCAL_RANK', localSize: 'OMPI_COMM_WORLD_LOCAL_SIZE' },
  { launcher: 'mpich', rank: 'PMI_RANK', size: 'PMI_SIZE', localRank: 'MPI_LOCALRANKID', localSize: 'MPI_LOCALNRANKS' },
  { launcher: 'slurm', rank: 'SLURM_PROCID', size: 'SLURM_NTASKS', localRank: 'SLURM_LOCALID', localSize: undefined },
  { launcher: 'kubernetes', rank: 'JOB_COMPLETION_INDEX', size: undefined, localRank: undefined, localSize: undefined },
];

const OPTION_NAMES = optionNames<PlacementFromEnvOptions>({ worldSize: true });
const SHARD_OPTION_NAMES = optionNames<PlacementFromEnvOptions & { readonly dropRemainder?: boolean }>({ worldSize: true, dropRemainder: true });
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function parseVariable(env: Environment, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const raw: unknown = env[name];
  if (raw === undefined) return undefined;
  // process.env holds strings only, but a plain JavaScript object passed as env may hold numbers (or null).
  if (typeof raw !== 'string') {
    throw new InvalidOptionsError(`environment variable ${name} must be a string of a non-negative decimal integer (got ${describeFound(raw)})`);
  }
  const text = raw.trim();
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidOptionsError(`environment variable ${name} must be a non-negative decimal integer (got '${raw}')`);
  }
  return Number(text);
}

function isSet(env: Environment, name: string | undefined): boolean {
  return name !== undefined && env[name] !== undefined;
}

/** Reads the launcher `variables` describe, which has at least its rank or size set. */
function readLauncher(env: Environment, variables: LauncherVariables, given: number | undefined): EnvironmentPlacement {
  const { launcher, rank: rankName, size: sizeName, localRank: localRankName, localSize: localSizeName } = variables;
  const rank = parseVariable(env, rankName);
  const exported = parseVariable(env, sizeName);
  const localRank = parseVariable(env, localRankName);
  const localWorldSize = parseVariable(env, localSizeName);
  if (sizeName === undefined && given === undefined) {
    throw new InvalidOptionsError(
      `environment variable ${rankName} is set ('${env[rankName]}') but the job's size is not in the environment; ` +
        `pass worldSize (the Job's completions), e.g. placementFromEnv(process.env, { worldSize: 8 })`,
    );
  }
  if (sizeName !== undefined && exported === undefined) {
    throw new InvalidOptionsError(`environment variable ${rankName} is set ('${env[rankName]}') but ${sizeName} is not (${launcher})`);
  }
  if (rank === undefined) {
    throw new InvalidOptionsError(`environment variable ${sizeName} is set ('${env[sizeName!]}') but ${rankName} is not (${launcher})`);
  }
  const worldSizeName = sizeName ?? 'worldSize';
  const worldSize = exported ?? given!;
  if (exported !== undefined && given !== undefined && exported !== given) {
    throw new InvalidOptionsError(`worldSize ${given} disagrees with environment variable ${sizeName} (${exported}, ${launcher})`);
  }
  if (worldSize === 0) throw new InvalidOptionsError(`environment variable ${worldSizeName} must be at least 1 (got 0)`);
  if (rank >= worldSize) throw new InvalidOptionsError(`environment variable ${rankName} (${rank}) must be below ${worldSizeName} (${worldSize})`);
  if (localWorldSize !== undefined) {
    if (localWorldSize === 0) throw new InvalidOptionsError(`environment variable ${localSizeName} must be at least 1 (got 0)`);
    if (localWorldSize > worldSize) {
      throw new InvalidOptionsError(`environment variable ${localSizeName} (${localWorldSize}) exceeds ${worldSizeName} (${worldSize})`);
    }
    if (localRank === undefined) throw new InvalidOptionsError(`environment variable ${localSizeName} is set but ${localRankName} is not (${launcher})`);
  }
  if (localRank !== undefined) {
    const bound = localWorldSize ?? worldSize;
    if (localRank >= bound) {
      throw new InvalidOptionsError(`environment variable ${localRankName} (${localRank}) must be below ${localWorldSize === undefined ? worldSizeName : localSizeName} (${bound})`);
    }
  }
  return { rank, worldSize, localRank, localWorldSize, launcher };
}

/**
 * This process's place from its launcher's environment variables. Launchers are looked for in this
 * order, and the first whose rank or size variable is set gives the placement (a launcher started by
 * another sees the outer one's variables too; the inner one describes this process):
 *
 * 1. torchrun (also torch.distributed.launch, Accelerate, DeepSpeed, PyTorchJob): RANK, WORLD_SIZE,
 *    LOCAL_RANK, LOCAL_WORLD_SIZE
 * 2. Open MPI (mpirun): OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK,
 *    OMPI_COMM_WORLD_LOCAL_SIZE
 * 3. MPICH / Intel MPI (PMI): PMI_RANK, PMI_SIZE, and MPI_LOCALRANKID, MPI_LOCALNRANKS when set
 * 4. Slurm (srun): SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID
 * 5. Kubernetes Indexed Job: JOB_COMPLETION_INDEX, with the size given as `worldSize`
 *
 * None set means a single process (rank 0 of 1). A launcher with only one of its rank and size set, a
 * local variable without any launcher, values out of range, or a `worldSize` that disagrees with the
 * launcher's are errors: guessing would silently duplicate or skip data.
 *
 * @param env default `process.env`.
 * @throws InvalidOptionsError if env is not an object, a value is not a string of a decimal integer, a
 *   launcher's variables are half set (RANK without WORLD_SIZE, LOCAL_RANK alone, JOB_COMPLETION_INDEX without `worldSize`, ...) or
 *   contradict each other (rank >= size, local rank >= local size, local size > size, `worldSize` !=
 *   the exported size), or for an unknown option.
 * @example
 * placementFromEnv({ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '2' });
 * // { rank: 1, worldSize: 4, localRank: 1, localWorldSize: 2, launcher: 'torchrun' }
 * placementFromEnv({ SLURM_PROCID: '5', SLURM_NTASKS: '8', SLURM_LOCALID: '1' }).rank; // 5
 * placementFromEnv({ JOB_COMPLETION_INDEX: '2' }, { worldSize: 4 }).rank; // 2
 * placementFromEnv({}); // { rank: 0, worldSize: 1, localRank: 0, localWorldSize: 1, launcher: undefined }
 */
export function placementFromEnv(env: Environment = process.env, options: PlacementFromEnvOptions = {}): EnvironmentPlacement {
  requireEnvironment('placementFromEnv', env);
  checkOptions('placementFromEnv', options, OPTION_NAMES);
  const given = options.worldSize === undefined ? undefined : requireInteger('placementFromEnv', 'worldSize', options.worldSize, 1);
  for (const variables of LAUNCHERS) {
    if (isSet(env, variables.rank) || isSet(env, variables.size)) return readLauncher(env, variables, given);
  }
  for (const variables of LAUNCHERS) {
    for (const name of [variables.localRank, variables.localSize]) {
      if (isSet(env, name)) {
        throw new InvalidOptionsError(
          `environment variable ${name} is set ('${env[name!]}') but ${variables.rank}${variables.size === undefined ? '' : ` and ${variables.size}`} are not (${variables.launcher})`,
        );
      }
    }
  }
  if (given !== undefined && given !== 1) {
    throw new InvalidOptionsError(
      `worldSize is ${given} but no launcher variable gives this process's rank (RANK, OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID or JOB_COMPLETION_INDEX)`,
    );
  }
  return { rank: 0, worldSize: 1, localRank: 0, localWorldSize: 1, launcher: undefined };
}

/**
 * Grain {@link ShardOptions} for this process from its launcher's variables (see {@link placementFromEnv}).
 * @throws InvalidOptionsError as placementFromEnv, for a non-boolean dropRemainder, or an unknown
 *   option (named, with the nearest known one: `drop_last` suggests dropRemainder).
 * @example
 * const options = shardOptionsFromEnv(process.env, { dropRemainder: true });
 * const indexed = shardOptionsFromEnv(process.env, { worldSize: 8 }); // a Kubernetes Indexed Job of 8 completions
 */
export function shardOptionsFromEnv(
  env: Environment = process.env,
  options: PlacementFromEnvOptions & { readonly dropRemainder?: boolean } = {},
): ShardOptions {
  requireEnvironment('shardOptionsFromEnv', env);
  checkOptions('shardOptionsFromEnv', options, SHARD_OPTION_NAMES);
  const dropRemainder = requireBoolean('shardOptionsFromEnv', 'dropRemainder', options.dropRemainder, false);
  const { rank, worldSize } = placementFromEnv(env, options.worldSize === undefined ? {} : { worldSize: options.worldSize });
  return shardOptions(rank, worldSize, dropRemainder);
}

/**
 * The rank and world size a sampler (or loader) was given; with neither, both come from `env` (see
 * placementFromEnv); with the world size alone, the rank comes from `env` and the sizes must agree.
 * `rankName` / `worldSizeName` are the option names used in messages.
 * @throws InvalidOptionsError if only the rank is given, they are not integers, rank >= world size, or
 *   as placementFromEnv.
 * @example
 * resolvePlacement('DataLoader', undefined, 4, { JOB_COMPLETION_INDEX: '3' }); // { rank: 3, worldSize: 4 }
 */
export function resolvePlacement(
  owner: string,
  rank: number | undefined,
  worldSize: number | undefined,
  env: Environment | undefined,
  rankName = 'rank',
  worldSizeName = 'worldSize',
): DistributedPlacement {
  if (rank === undefined) {
    const checked = worldSize === undefined ? undefined : requireInteger(owner, worldSizeName, worldSize, 1);
    let found: EnvironmentPlacement;
    try {
      found = placementFromEnv(env ?? process.env, checked === undefined ? {} : { worldSize: checked });
    } catch (error) {
      if (!(error instanceof InvalidOptionsError)) throw error;
      throw new InvalidOptionsError(`${owner}: ${error.message.replace(/^worldSize\b/, worldSizeName)}`);
    }
    return { rank: found.rank, worldSize: found.worldSize };
  }
  if (worldSize === undefined) {
    throw new InvalidOptionsError(
      `${owner}: give both ${rankName} and ${worldSizeName}, ${worldSizeName} alone, or neither (then the launcher's variables are read: RANK/WORLD_SIZE, ...)`,
    );
  }
  const checkedWorldSize = requireInteger(owner, worldSizeName, worldSize, 1);
  const checkedRank = requireInteger(owner, rankName, rank, 0);
  if (checkedRank >= checkedWorldSize) {
    throw new InvalidOptionsError(`${owner}: ${rankName} must be in [0, ${checkedWorldSize - 1}] (got ${checkedRank})`);
  }
  return { rank: checkedRank, worldSize: checkedWorldSize };
}
