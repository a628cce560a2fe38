"""The redacting log processor."""

from worker.logging import REDACTED, redact_secrets


def test_secret_keys_are_redacted() -> None:
    event = redact_secrets(None, "info", {
        "event": "x", "password": "hunter2", "legacy_token": "abc", "api_key": "k",
        "legacy_session_id": "lm_session_1", "authorization": "Bearer z", "job_id": "mig_1"})
    assert event["password"] == event["legacy_token"] == event["api_key"] == REDACTED
    assert event["legacy_session_id"] == event["authorization"] == REDACTED
    assert event["job_id"] == "mig_1"


def test_secret_values_inside_text_and_nested_structures_are_redacted() -> None:
    event = redact_secrets(None, "info", {
        "event": "login with password=hunter2 and Bearer mwk_0123abcd",
        "body": {"nested": {"token": "ltok_deadbeef"}, "list": ["lm_session_00ff"]},
        "message": "token: ltok_cafe1234 used"})
    text = repr(event)
    for secret in ("hunter2", "mwk_0123abcd", "ltok_deadbeef", "lm_session_00ff", "ltok_cafe"):
        assert secret not in text
