"""The worker process (`python -m worker`): arq's Worker as we run it, the arq job function
and hooks, graceful shutdown, the registry heartbeat and the sweep. The only layer that
knows both the engine and the job kinds."""
