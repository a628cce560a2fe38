"""Job kinds defined in the tests only, run through the real worker (EXTRA_JOB_KINDS)."""
