"""Job IDs: `mig_` + 24 lowercase hex digits, time-ordered."""

import re

from worker.ids import new_job_id


def test_format_and_order() -> None:
    ids = [new_job_id() for _ in range(2000)]
    assert all(re.fullmatch(r"mig_[0-9a-f]{24}", i) for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
