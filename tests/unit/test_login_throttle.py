"""The login throttle's pure parts: the waits, one count for an email however it is typed,
its digest, and what a refusal says."""

from __future__ import annotations

import pytest

from api_stub.login_throttle import Policy, email_digest, normalise_email, refusal

POLICY = Policy(free=3, wait=2.0, max_wait=900.0, forget=3600.0)


@pytest.mark.parametrize(("failures", "wait"), [
    (0, 0), (1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (11, 512), (12, 900), (400, 900),
    (10**9, 900),
])
def test_the_wait_doubles_after_the_free_failures_up_to_the_most(failures: int,
                                                                 wait: float) -> None:
    assert POLICY.wait_after(failures) == wait


def test_no_free_failure_waits_from_the_first() -> None:
    policy = Policy(free=0, wait=1.0, max_wait=60.0, forget=3600.0)
    assert [policy.wait_after(n) for n in range(5)] == [0, 1, 2, 4, 8]


def test_an_email_is_one_however_it_is_typed() -> None:
    assert normalise_email("  Demo@Example.COM\t") == "demo@example.com"
    secret = "s3cret"
    assert email_digest(" Demo@Example.com ", secret) == email_digest("demo@example.com", secret)
    assert email_digest("other@example.com", secret) != email_digest("demo@example.com", secret)


def test_the_digest_needs_the_secret() -> None:
    digest = email_digest("demo@example.com", "one secret")
    assert len(digest) == 64
    assert "demo" not in digest
    assert digest != email_digest("demo@example.com", "another secret")


def test_a_refusal_names_the_count_that_waits_and_the_figures() -> None:
    by_email = refusal(POLICY, 3500, 0, 4, 4)
    assert (by_email.code, by_email.retry_after) == ("RATE_LIMITED", 4)
    assert "for this legacy email (4 in a row)" in by_email.message
    assert "wait 4 s (Retry-After)" in by_email.message
    assert "even with the right password" in by_email.message
    assert "After 3 wrong passwords, each one doubles the wait, from 2 s up to 900 s" in (
        by_email.message)
    by_key = refusal(POLICY, 0, 1200, 0, 5)
    assert by_key.retry_after == 2
    assert "through this API key (5 for emails that have not logged in since)" in by_key.message
