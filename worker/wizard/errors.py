"""Why a wizard request is refused, each error with its HTTP status."""

from __future__ import annotations

from worker.errors import NotFound, ServiceError


class MigrationNotFound(NotFound):
    """There is no such migration in this account."""

    code = "MIGRATION_NOT_FOUND"
    what = "migration"


class ImportNotFound(NotFound):
    """There is no such import in this account."""

    code = "IMPORT_NOT_FOUND"
    what = "import"


class MigrationSingletonViolation(ServiceError):
    """This account already has an active migration: finish it, or abandon it with
    DELETE /migrations/{id}, before starting another."""

    code = "MIGRATION_SINGLETON_VIOLATION"
    status = 409


class CashVatNotSupported(ServiceError):
    """Accounts on the cash VAT scheme cannot be migrated: opening balances on a cash basis
    are not supported. Change the scheme with PATCH /account if it is wrong."""

    code = "CASH_VAT_NOT_SUPPORTED"
    status = 422


class InvalidCutoverDate(ServiceError):
    """The cutover date must be the last day of a month, and not in the future."""

    code = "INVALID_CUTOVER_DATE"
    status = 422


class InvalidTransition(ServiceError):
    """The migration's status does not allow this."""

    code = "INVALID_TRANSITION"
    status = 422


class InvalidImport(ServiceError):
    """An import cannot be attached: it is not in this account, or not of that type."""

    code = "INVALID_IMPORT"
    status = 422


class BalancesNotConfirmed(ServiceError):
    """Confirm the opening balances import first (POST /imports/{id}/confirm): invoices and
    bills are posted against it."""

    code = "BALANCES_NOT_CONFIRMED"
    status = 422


class ImportNotConfirmable(ServiceError):
    """The import cannot be confirmed: what it holds must be fixed first (its blockers say
    what)."""

    code = "IMPORT_NOT_CONFIRMABLE"
    status = 422


class ImportNotReady(ServiceError):
    """Only an import that needs review can be confirmed."""

    code = "IMPORT_NOT_READY"
    status = 409


class ProviderNotAutomated(ServiceError):
    """Only FreeAgent, Xero and QuickBooks exports are read automatically; for a migration
    of provider `other`, import each CSV file with POST /imports and attach it with
    POST /migrations/{id}/upload."""

    code = "PROVIDER_NOT_AUTOMATED"
    status = 422


class ExecuteFailed(ServiceError):
    """The execute failed; nothing was written. Fix the cause and execute again."""

    code = "EXECUTE_FAILED"
    status = 422
