"""docs/file-formats.md, written from the code's own tables (the layouts' registry, their
columns and aliases, the workbook's sheet names), so the document cannot drift from what
the wizard reads. `tests/unit/test_file_formats_doc.py` fails when they differ.

    .venv/bin/python -m scripts.file_formats_doc          # rewrite the document
    .venv/bin/python -m scripts.file_formats_doc --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from worker.kinds.wizard_import.bundles import MAX_BUNDLE_FILES, MAX_MEMBER_BYTES
from worker.kinds.wizard_import.columns import COLUMNS, REQUIRED_SHEETS, SHEETS
from worker.kinds.wizard_import.file_checks import MAX_FILE_BYTES
from worker.kinds.wizard_import.layouts import LAYOUTS
from worker.kinds.wizard_import.layouts.base import Column, Layout
from worker.wizard.records import ImportType

DOC = Path(__file__).resolve().parent.parent / "docs" / "file-formats.md"
PROVIDERS = {"freeagent": "FreeAgent", "xero": "Xero", "quickbooks": "QuickBooks Online",
             "generic": "Any provider: the wizard's own CSV columns"}


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _table(columns: Iterable[Column]) -> Iterator[str]:
    yield "| field | column (then the other names accepted) | required |"
    yield "|---|---|---|"
    for column in columns:
        yield f"| `{column.key}` | {_names(column.names)} | {'yes' if column.required else ''} |"


def _about(layout: Layout) -> str:
    """The layout module's docstring, without its first words (the layout's name)."""
    doc = inspect.getdoc(inspect.getmodule(type(layout))) or ""
    return " ".join(doc.split()).split(": ", 1)[-1]


def _flat_columns() -> Iterator[str]:
    for import_type in ImportType:
        yield f"#### {import_type.value}"
        yield ""
        if import_type is ImportType.CONTACTS:
            yield "Either `organisation`, or both `first_name` and `last_name`, is needed."
            yield ""
        yield from _table(COLUMNS[import_type].values())
        yield ""


def render() -> str:
    """The document's text."""
    lines = [
        "# File formats the migration wizard reads",
        "",
        "Generated from the code (`python -m scripts.file_formats_doc`); do not edit by hand.",
        "A file is recognised by its content (its header row, found below any title block),",
        "never by its name. Column names are matched ignoring case and extra spaces (and",
        "the `*` Xero puts before a required column).",
        "",
        f"Limits: a file up to {MAX_FILE_BYTES // 1024 // 1024} MB; a .zip of a provider's "
        f"files up to {MAX_BUNDLE_FILES} files of",
        f"{MAX_MEMBER_BYTES // 1024 // 1024} MB each. Text in UTF-8 (Xero's and QuickBooks' "
        "CSVs may also be Windows-1252).",
        "",
        "## The FreeAgent workbook's sheets",
        "",
        "| records | sheet (then the other names accepted) | required |",
        "|---|---|---|",
    ]
    for import_type, names in SHEETS.items():
        required = "yes" if import_type in REQUIRED_SHEETS else ""
        lines.append(f"| {import_type.value} | {_names(names)} | {required} |")
    lines += ["", "Each sheet, and a CSV of the wizard's own columns (`generic.csv`, the "
              "import's `type` given with the upload), has these columns:", ""]
    lines += _flat_columns()
    for provider, title in PROVIDERS.items():
        layouts = [layout for layout in LAYOUTS if layout.provider == provider]
        lines += [f"## {title}", ""]
        for layout in layouts:
            kind = layout.import_type.value if layout.import_type else "the type given"
            lines += [f"### `{layout.name}`: {layout.title}", "",
                      f"Records: {kind}. {_about(layout)}", ""]
            if layout.columns:
                lines += [*_table(layout.columns), ""]
            else:
                lines += ["Columns: as in the workbook's sheets above.", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        stale = not DOC.exists() or DOC.read_text() != text
        if stale:
            print(f"{DOC} is stale: run python -m scripts.file_formats_doc", file=sys.stderr)
        return 1 if stale else 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
