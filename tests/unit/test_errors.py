"""The one error root: a code, a message defaulting to the class docstring, and one table
from error classes to HTTP statuses."""

from api_stub.errors import STATUS, AccountRequired, status_of
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
    assert status_of(LegacyAuthFailed) == 401  # listed itself
    assert status_of(LegacyUnavailable) == 502  # from LegacyError
    assert status_of(LegacyTokenExpired) == 502
    assert status_of(InternalError) == 500
    assert STATUS[ServiceError] == 500  # anything unforeseen
