"""The step engine, the same for every job kind: takes a job's lease, runs the kind's steps
in order from the first one not finished, checkpoints progress under the lease, and records
how the job ended. It knows kinds only through worker.engine.kind.JobKind."""
