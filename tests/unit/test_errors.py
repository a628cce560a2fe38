"""The one error root: a code, a message defaulting to the class docstring, and the HTTP
status each class carries (a kind's errors need no edit of the web layer)."""

import importlib
import pkgutil

import api_stub
import worker
from api_stub.errors import AccountRequired, status_of
from worker.errors import InternalError, ServiceError, StepFailed
from worker.kinds.legacy_migration.errors import LegacySessionNotFound
from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyTokenExpired,
    LegacyUnavailable,
)


def test_the_message_defaults_to_the_docstring_on_one_line() -> None:
    error = AccountRequired()
    assert error.code == "ACCOUNT_REQUIRED"
    assert error.message == ("This API key has access to several accounts: send the header "
                             "'x-account-id' naming one of them.")
    assert str(error) == error.message
    assert LegacySessionNotFound("gone").message == "gone"


def test_one_error_can_carry_its_own_code() -> None:
    error = StepFailed("The staged data does not match.", code="VALIDATION_FAILED")
    assert (error.code, error.message) == ("VALIDATION_FAILED", "The staged data does not match.")
    assert StepFailed().code == "STEP_FAILED"  # the class's is untouched


def test_every_error_has_a_status_the_most_specific_wins() -> None:
    assert status_of(LegacyAuthFailed) == 401  # its own
    assert status_of(LegacyUnavailable) == 502  # from LegacyError
    assert status_of(LegacyTokenExpired) == 502
    assert status_of(InternalError) == 500
    assert status_of(ServiceError) == 500  # anything unforeseen


def _subclasses(cls: type[ServiceError]) -> set[type[ServiceError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_error_a_user_is_told_about_says_its_status() -> None:
    for package in (worker, api_stub):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    errors = {e for e in _subclasses(ServiceError)
              if e.__module__.startswith(("worker.", "api_stub."))}
    assert len(errors) > 50
    # a 500 is the service's own fault: only those that mean one may keep the root's
    # (StepFailed and RecordError fail a job; no request answers with them)
    unforeseen = sorted(e.__name__ for e in errors if e.status == 500)
    assert unforeseen == ["InternalError", "RecordError", "StepFailed"], unforeseen
    assert all(400 <= e.status < 600 for e in errors)
