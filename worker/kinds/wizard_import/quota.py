"""Per-account upload quotas (security.md, "Tenants"): the bytes of uploaded files an
account keeps stored (UPLOAD_QUOTA_BYTES) and the files it may upload in an hour
(UPLOAD_QUOTA_PER_HOUR). Checked before a file is parsed (cheap, so a refused upload
costs nothing) and again under a per-account lock in the transaction that stores it (so
uploads racing each other cannot both pass)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from worker.db.types import Executor
from worker.kinds.wizard_import.errors import UploadQuotaExceeded, UploadRateExceeded
from worker.settings import Settings
from worker.wizard.store import WizardStore

HOUR_SECONDS = 3600.0


@dataclass(frozen=True)
class UploadQuota:
    """An account's quotas; 0 turns one off."""

    max_bytes: int
    per_hour: int

    @classmethod
    def of(cls, settings: Settings) -> UploadQuota:
        """The quotas the settings give."""
        return cls(settings.upload_quota_bytes, settings.upload_quota_per_hour)


def _size(n: float) -> str:
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("kB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


async def check_upload_quota(conn: Executor, account_id: str, quota: UploadQuota, *,
                             files: int, size: int, lock: bool = False) -> None:
    """Raise when storing `files` more files of `size` bytes in all would take the account
    past a quota. `lock`: inside the storing transaction, serialise the account's uploads."""
    if lock:
        await WizardStore.lock_uploads(conn, account_id)
    usage = await WizardStore.upload_usage(conn, account_id, HOUR_SECONDS)
    if quota.per_hour and files > quota.per_hour:
        # no wait would let it through: refused as too large, without a Retry-After
        raise UploadQuotaExceeded(
            f"This upload has {files} files; an account may upload {quota.per_hour} files "
            "per hour. Send them in several uploads.")
    if quota.per_hour and usage.recent + files > quota.per_hour:
        # the hour's window frees a place when its oldest upload leaves it
        wait = HOUR_SECONDS - (usage.oldest_age or 0.0)
        raise UploadRateExceeded(
            f"This account uploaded {usage.recent} files in the last hour and this upload "
            f"has {files}; the quota is {quota.per_hour} files per hour. Try again in "
            f"{math.ceil(wait)} s (Retry-After).", retry_after=math.ceil(wait))
    if quota.max_bytes and usage.bytes + size > quota.max_bytes:
        raise UploadQuotaExceeded(
            f"This account keeps {_size(usage.bytes)} of uploaded files and this upload "
            f"adds {_size(size)}; the quota is {_size(quota.max_bytes)}. Uploaded files "
            "are kept for the account's migrations; to upload more, ask the service's "
            "operators to raise UPLOAD_QUOTA_BYTES.")
