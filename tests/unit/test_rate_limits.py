"""The rate limits' pure parts: who a request is counted as, which routes fail closed, and
what a refusal says."""

from __future__ import annotations

import pytest

from api_stub.rate_limits import (
    address_group,
    bucket_for,
    client_address,
    fails_closed,
    refusal,
    retry_after,
)
from worker.redis_keys import rate_bucket_key
from worker.settings import Settings
from worker.store.api_keys import ApiKey

SETTINGS = Settings(rate_limit_per_second=20, rate_limit_burst=60,
                    rate_limit_anonymous_per_second=2.5, rate_limit_anonymous_burst=30)
KEY = ApiKey(42, False, ("acc_1",))


@pytest.mark.parametrize(("host", "counted"), [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    # one host usually holds a whole /64: counted as one
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("not-an-address", "not-an-address"),
    (None, "unknown"),
    ("", "unknown"),
])
def test_address_group(host: str | None, counted: str) -> None:
    assert address_group(host) == counted


def test_client_address_of_a_scope() -> None:
    assert client_address({"client": ("198.51.100.1", 5555)}) == "198.51.100.1"
    assert client_address({"client": None}) == "unknown"


def test_a_request_with_a_key_is_counted_per_key() -> None:
    bucket = bucket_for("/legacy-migration/jobs", KEY, "198.51.100.1", SETTINGS)
    assert (bucket.who, bucket.per_second, bucket.burst) == ("key:42", 20, 60)
    assert rate_bucket_key(bucket.who) == "mw:rate:key:42"


def test_a_request_without_a_valid_key_is_counted_per_address() -> None:
    bucket = bucket_for("/legacy-migration/jobs", None, "198.51.100.1", SETTINGS)
    assert (bucket.who, bucket.per_second, bucket.burst) == ("addr:198.51.100.1", 2.5, 30)


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_probes_have_a_bucket_of_their_own_per_address_even_with_a_key(path: str) -> None:
    bucket = bucket_for(path, KEY, "198.51.100.1", SETTINGS)
    assert (bucket.who, bucket.per_second, bucket.burst) == ("probe:198.51.100.1", 2.5, 30)


def test_only_the_legacy_login_fails_closed() -> None:
    assert fails_closed("POST", "/legacy-migration/auth")
    assert not fails_closed("GET", "/legacy-migration/jobs")
    assert not fails_closed("POST", "/legacy-migration/jobs")
    assert not fails_closed("GET", "/healthz")
    assert not fails_closed("POST", "/imports")


@pytest.mark.parametrize(("wait", "seconds"), [(0.0001, 1), (0.5, 1), (1.0, 1), (1.01, 2),
                                                (59.2, 60)])
def test_retry_after_is_whole_seconds_always_enough(wait: float, seconds: int) -> None:
    assert retry_after(wait) == seconds


def test_a_refusal_names_the_limit_and_its_figures() -> None:
    refused = refusal(bucket_for("/imports", KEY, "198.51.100.1", SETTINGS), 0.04)
    assert refused.code == "RATE_LIMITED"
    assert refused.retry_after == 1
    assert refused.headers == {"Retry-After": "1"}
    assert refused.message == ("This API key made more than 20 requests per second (burst "
                               "60); wait 1 s (Retry-After) and slow down.")
    anonymous = refusal(bucket_for("/imports", None, "198.51.100.1", SETTINGS), 2.2)
    assert anonymous.message == (
        "This client address (198.51.100.1) without an API key made more than 2.5 requests "
        "per second (burst 30); wait 3 s (Retry-After) and slow down.")
