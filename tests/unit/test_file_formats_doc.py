"""docs/file-formats.md is what the code reads: generated from the layouts' registry and
their columns (scripts/file_formats_doc.py), it must equal a fresh rendering."""

from __future__ import annotations

from scripts.file_formats_doc import DOC, render
from worker.kinds.wizard_import.layouts import LAYOUTS


def test_the_document_is_current() -> None:
    assert DOC.read_text() == render(), (
        "docs/file-formats.md is stale: run .venv/bin/python -m scripts.file_formats_doc")


def test_every_layout_and_alias_is_in_it() -> None:
    text = render()
    for layout in LAYOUTS:
        assert f"`{layout.name}`" in text, layout.name
        for column in layout.columns:
            for name in column.names:
                assert f"`{name}`" in text, (layout.name, name)
