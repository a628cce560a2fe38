"""Production refuses the built-in or a short SECRET_KEY, naming it; SECRET_KEY rotates:
what an old key sealed still opens, what is sealed now needs the new key."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from worker.deployment import UnsafeSettings, problems, require_safe_settings
from worker.secrets_box import SecretBox
from worker.settings import DEV_SECRET_KEY, Settings

GOOD = "k" * 40


def settings(key: str, *, production: bool, old: str = "") -> Settings:
    return Settings(secret_key=SecretStr(key), production=production,
                    secret_keys_old=SecretStr(old))


def test_the_built_in_key_refuses_production_naming_it() -> None:
    with pytest.raises(UnsafeSettings) as refused:
        require_safe_settings(settings(DEV_SECRET_KEY, production=True), "the API")
    message = str(refused.value)
    assert message.startswith("the API refuses to start in production (PRODUCTION=1): "
                              "SECRET_KEY is the built-in development key"), message
    assert "secrets.token_urlsafe" in message


def test_a_short_key_refuses_production_saying_how_long() -> None:
    with pytest.raises(UnsafeSettings, match="SECRET_KEY is 12 characters long; it must be "
                                             "at least 32"):
        require_safe_settings(settings("x" * 12, production=True), "the worker")


def test_a_weak_old_key_refuses_production_too() -> None:
    assert problems(settings(GOOD, production=True, old=f"{GOOD}2, short")) == [
        "SECRET_KEYS_OLD holds the built-in key or one shorter than 32 characters"]


def test_a_proper_key_starts_and_development_only_warns(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    require_safe_settings(settings(GOOD, production=True), "the API")
    assert capsys.readouterr().err == ""
    require_safe_settings(settings(DEV_SECRET_KEY, production=False), "the API")
    assert "WARNING (the API): SECRET_KEY is the built-in development key" in (
        capsys.readouterr().err)


def test_rotation_opens_what_old_keys_sealed_and_seals_with_the_new() -> None:
    old, new = "o" * 40, "n" * 40
    sealed_before = SecretBox(old).seal("legacy-token")
    rotated = SecretBox(new, [old])
    assert rotated.open(sealed_before) == "legacy-token"
    sealed_now = rotated.seal("another")
    assert SecretBox(new).open(sealed_now) == "another"
    with pytest.raises(ValueError, match="neither SECRET_KEY nor any of SECRET_KEYS_OLD"):
        SecretBox(old).open(sealed_now)
    assert settings(new, production=False, old=f" {old} ,").old_secret_keys() == [old]
