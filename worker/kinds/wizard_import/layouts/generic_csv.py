"""generic.csv: our own CSV columns (freeagent-workbook.md), one file per import type, the
type given with the upload; the `other` provider's way in, and any provider's fallback."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts.flat import FlatLayout


class GenericCsv(FlatLayout):
    name = "generic.csv"
    provider = "generic"
    title = "CSV in the wizard's own columns"
    import_type = None
    date_keys = ("dated_on", "due_on")
