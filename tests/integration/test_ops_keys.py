"""/ops/keys (issue 20): operators list, revoke and rotate keys over HTTP, naming a key by
its ID or prefix; no answer holds a key except a rotation's new one."""

from __future__ import annotations

import httpx

from harness.processes import create_key

JOBS = "/legacy-migration/jobs"


async def test_operators_list_revoke_and_rotate_keys(web: str,
                                                     service_env: dict[str, str]) -> None:
    operator = create_key(service_env)
    account_key = create_key(service_env, "acc_ops_keys")
    other = create_key(service_env, "acc_ops_keys_rotated")
    auth = {"Authorization": f"Bearer {operator}"}
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        refused = await http.get("/ops/keys",
                                 headers={"Authorization": f"Bearer {account_key}"})
        assert refused.status_code == 403
        listed = await http.get("/ops/keys", headers=auth)
        assert listed.status_code == 200, listed.text
        assert account_key not in listed.text
        assert operator not in listed.text
        mine = next(k for k in listed.json()["keys"] if k["prefix"] == account_key[:10])
        assert mine["accounts"] == ["acc_ops_keys"]
        assert mine["revoked_at"] is None

        revoked = await http.post(f"/ops/keys/{mine['id']}/revoke", headers=auth)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        gone = await http.get(JOBS, headers={"Authorization": f"Bearer {account_key}"})
        assert gone.status_code == 401
        assert gone.json()["error"]["code"] == "API_KEY_REVOKED"

        rotated = await http.post(f"/ops/keys/{other[:10]}/rotate", headers=auth,
                                  json={"grace_seconds": 3600})
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["key"]
        for key in (new, other):  # the old one is in its grace period
            answer = await http.get(JOBS, headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 200, answer.text

        again = await http.post(f"/ops/keys/{mine['id']}/rotate", headers=auth)
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "API_KEY_ALREADY_REVOKED"
        unknown = await http.post("/ops/keys/mwk_ffffff/revoke", headers=auth)
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "API_KEY_NOT_FOUND"
        whole = await http.post(f"/ops/keys/{other}/revoke", headers=auth)
        assert whole.status_code == 404
        assert other not in whole.text
