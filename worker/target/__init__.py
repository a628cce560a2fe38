"""The target: the only code that writes `target.*`.

Every kind maps its source into the canonical records of `records` and stages them (the
legacy kind page by page as it reads, the wizard inside its execute's transaction); then
`writer.write_staged` moves a job's staged records into the target in one set-wise pass
(`INSERT … SELECT`, sql/queries/target.sql), checking that every staged record arrived.
`tests/unit/test_layers.py` holds every other module to this.
"""
