"""The service driven from outside, shared by the tests and the benchmarks: its processes
(started, signalled, stopped), clients of its API (legacy jobs, the wizard), what a
migration must produce (the oracle, the target's checks), databases made and dropped, and
waiting for a condition. Nothing here is a test; bench/ needs nothing from tests/."""
