"""The wizard import's own errors: a file refused before (or while) it is parsed."""

from __future__ import annotations

from collections.abc import Sequence

from worker.errors import ServiceError


class FileRefused(ServiceError):
    """The file was refused: it cannot be imported as it is."""

    code = "INVALID_FILE"
    status = 400


class InvalidFile(FileRefused):
    """The file is not a readable .xlsx workbook or UTF-8 CSV file. Export it again (from
    Excel: File > Save As > Excel Workbook (.xlsx), or CSV UTF-8) and upload that."""

    code = "INVALID_FILE"
    status = 400


class HeaderNotFound(FileRefused):
    """The file has no header row: put the column names in one row above the data and
    upload it again."""

    code = "HEADER_NOT_FOUND"


class FileTooLarge(FileRefused):
    """The file is larger than 10 MB. Split it, or remove what is not imported (extra
    sheets, formatting), and upload it again."""

    code = "FILE_TOO_LARGE"
    status = 413


class ReadingInterrupted(ServiceError):
    """The process reading the file was stopped from outside while the upload was looked
    at (not the file's fault): send the upload again."""

    code = "SERVICE_UNAVAILABLE"
    status = 503


class ImportTypeMismatch(FileRefused):
    """The file holds another type of record than the upload says."""

    code = "IMPORT_TYPE_MISMATCH"
    status = 400


class FilesConflict(FileRefused):
    """Two files of one upload give the same records: upload one of them."""

    code = "INVALID_FILE"
    status = 400


class MissingSheets(FileRefused):
    """The workbook lacks a required sheet (Contacts, Trial Balance)."""

    code = "MISSING_SHEETS"
    status = 400

    @classmethod
    def naming(cls, missing: Sequence[str], found: Sequence[str]) -> MissingSheets:
        """The error naming the sheets missing (as columns.missing_sheets gives them) and
        the sheets the workbook has."""
        from worker.kinds.wizard_import.columns import sheet_aliases

        wanted = "; ".join(
            name + (f" (or {', '.join(others)})" if (others := sheet_aliases(name)) else "")
            for name in missing)
        shown = ", ".join(f"'{name}'" for name in found) or "none"
        plural = "s" if len(missing) > 1 else ""
        return cls(f"The workbook lacks the required sheet{plural} {wanted}; sheets found: "
                   f"{shown}. Add or rename the sheet{plural} (names match ignoring case) "
                   "and upload the workbook again.")


class UploadQuotaExceeded(ServiceError):
    """This account keeps as many bytes of uploaded files as its quota allows."""

    code = "UPLOAD_QUOTA_EXCEEDED"
    status = 413


class UploadRateExceeded(ServiceError):
    """This account uploaded as many files in the last hour as its quota allows."""

    code = "UPLOAD_QUOTA_EXCEEDED"
    status = 429

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
