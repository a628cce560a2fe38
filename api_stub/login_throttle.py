"""POST /legacy-migration/auth must not be a fast oracle of legacy passwords: wrong passwords
are counted per legacy email (through any API key) and per API key (for any email), and
after LEGACY_LOGIN_FREE_FAILURES of either, every attempt waits, even with the right
password, which is then not even sent to the legacy API: 429 RATE_LIMITED, Retry-After.

The wait after the n-th wrong password (n >= free) is LEGACY_LOGIN_WAIT_SECONDS doubled
n - free times, at most LEGACY_LOGIN_MAX_WAIT_SECONDS, from that attempt. Failures are
forgotten LEGACY_LOGIN_FORGET_SECONDS after the last one. A success takes back its email's
failures, in its own count and in its key's; a key's count keeps the wrong passwords of other
emails, so that logging in to one's own legacy account does not buy guesses at others.

An attempt is counted as a failure as it starts, in the same script that checks the wait, so
that attempts sent at once cannot all pass the check before the first failure is counted;
its end takes that back (a success) or leaves it (a wrong password). An attempt that reached
no verdict (the legacy API could not be reached) is taken back.

Redis holds the counts (limit_store.py), by an HMAC of the email under SECRET_KEY, never the
email; without Redis the login is refused (fail closed), as it could not keep its session.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

from api_stub import refusals
from api_stub.errors import RateLimited
from api_stub.limit_store import LimitStore
from api_stub.rate_limits import limits_unavailable
from worker.redis_keys import login_failures_key
from worker.settings import Settings

# KEYS: the email's failures, the key's; ARGV: the email's digest, free failures, first
# wait (ms), longest wait (ms), forget after (ms). Each count is a hash: failures by email
# digest, and `last`, the time of the last failure.
# Answers {1, 0, 0, email failures, key failures} with this attempt counted as a failure,
# or {0, email wait (ms), key wait (ms), email failures, key failures}.
BEGIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free, first, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local from = math.max(free, 1)
local counts, waits = {}, {}
for i, key in ipairs(KEYS) do
  local n, last = 0, 0
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    if all[j] == 'last' then last = tonumber(all[j + 1]) else n = n + tonumber(all[j + 1]) end
  end
  local wait = 0
  if n >= from then wait = math.min(most, first * 2 ^ (n - from)) end
  counts[i] = n
  waits[i] = math.max(0, math.ceil(last + wait - now))
end
if waits[1] > 0 or waits[2] > 0 then
  return {0, waits[1], waits[2], counts[1], counts[2]}
end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, ARGV[1], 1)
  redis.call('HSET', key, 'last', now)
  redis.call('PEXPIRE', key, ARGV[5])
end
return {1, 0, 0, counts[1] + 1, counts[2] + 1}
"""
# The same KEYS, ARGV[1] the email's digest: its failures taken back (a success).
SUCCEEDED = """
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[2]) <= 1 then redis.call('DEL', KEYS[2]) end
return {1}
"""
# The same: this attempt's failure taken back (no verdict).
UNDO = """
for _, key in ipairs(KEYS) do
  if redis.call('HINCRBY', key, ARGV[1], -1) <= 0 then redis.call('HDEL', key, ARGV[1]) end
  if redis.call('HLEN', key) <= 1 then redis.call('DEL', key) end
end
return {1}
"""


@dataclass(frozen=True)
class Policy:
    """The throttle's figures."""

    free: int
    wait: float
    max_wait: float
    forget: float

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.legacy_login_free_failures, settings.legacy_login_wait_seconds,
                   settings.legacy_login_max_wait_seconds, settings.legacy_login_forget_seconds)

    def wait_after(self, failures: int) -> float:
        """Seconds an attempt waits after `failures` wrong passwords in a row."""
        start = max(self.free, 1)
        if failures < start:
            return 0.0
        return min(self.max_wait, self.wait * 2.0 ** min(failures - start, 64))


def normalise_email(email: str) -> str:
    """The email as counted: ' Ann@Example.COM ' and 'ann@example.com' are one."""
    return email.strip().lower()


def email_digest(email: str, secret: str) -> str:
    """The email's HMAC-SHA-256 under SECRET_KEY (hex): a digest that cannot be matched
    against a list of emails without the secret."""
    return hmac.new(secret.encode(), normalise_email(email).encode(),
                    hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    """One login attempt let through, counted as a failure until it ends."""

    store: LimitStore
    keys: list[str]
    digest: str
    email_failures: int  # wrong passwords for the email, this attempt included
    key_failures: int  # wrong passwords through the key, this attempt included

    async def succeeded(self) -> None:
        await self.store.run(SUCCEEDED, self.keys, [self.digest])

    async def undo(self) -> None:
        await self.store.run(UNDO, self.keys, [self.digest])


def refusal(policy: Policy, email_wait_ms: int, key_wait_ms: int, email_failures: int,
            key_failures: int) -> RateLimited:
    """The 429 of an attempt during a wait, naming which count and the figures."""
    seconds = max(1, math.ceil(max(email_wait_ms, key_wait_ms) / 1000))
    if email_wait_ms >= key_wait_ms:
        which = f"for this legacy email ({email_failures} in a row)"
    else:
        which = (f"through this API key ({key_failures} for emails that have not logged in "
                 "since)")
    return RateLimited(
        f"Too many wrong legacy passwords {which}: wait {seconds} s (Retry-After) before "
        "the next attempt, even with the right password. After "
        f"{policy.free} wrong passwords, each one doubles the wait, from {policy.wait:g} s up "
        f"to {policy.max_wait:g} s; they are forgotten after {policy.forget:g} s without "
        "one, or by logging in.", retry_after=seconds)


async def begin(store: LimitStore, settings: Settings, key_id: int, email: str) -> Attempt:
    """Let an attempt through, counted; RateLimited during a wait, ServiceUnavailable when
    Redis does not answer."""
    policy = Policy.of(settings)
    digest = email_digest(email, settings.secret_key.get_secret_value())
    keys = [login_failures_key(f"email:{digest}"), login_failures_key(f"key:{key_id}")]
    forget_ms = math.ceil(max(policy.forget, policy.max_wait) * 1000)
    answer = await store.run(BEGIN, keys, [digest, policy.free, math.ceil(policy.wait * 1000),
                                           math.ceil(policy.max_wait * 1000), forget_ms])
    if answer is None:
        raise limits_unavailable()
    allowed, email_wait, key_wait, email_failures, key_failures = answer
    if not allowed:
        refusals.count(refusals.REQUEST, "login_throttled")
        raise refusal(policy, email_wait, key_wait, email_failures, key_failures)
    return Attempt(store, keys, digest, email_failures, key_failures)
