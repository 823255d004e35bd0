// The variables launchers set to place a process (torchrun, Open MPI, MPICH, Slurm, a Kubernetes
// Indexed Job): every one placementFromEnv reads. Tests that use process.env, or start processes with
// it, clear them: one left in the machine's environment (a run under mpirun or Slurm) would place
// the loader or sampler elsewhere than the test says.

export const LAUNCHER_VARIABLES = [
  'RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE',
  'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'OMPI_COMM_WORLD_LOCAL_RANK', 'OMPI_COMM_WORLD_LOCAL_SIZE',
  'PMI_RANK', 'PMI_SIZE', 'MPI_LOCALRANKID', 'MPI_LOCALNRANKS',
  'SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID', 'JOB_COMPLETION_INDEX',
] as const;
