"""The step engine: takes a job's lease, runs its steps in order from the first one not
finished, checkpoints progress under the lease, and records how the job ended."""
