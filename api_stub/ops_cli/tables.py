"""Plain-text tables and the small formats inside them (times, durations, lists of IDs):
aligned columns that read well in a terminal and in a log, no dependency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

EMPTY = "-"
MAX_CELL = 60


def cell(value: object, max_width: int = MAX_CELL) -> str:
    """One value as one line of at most `max_width` characters; None as '-'."""
    if value is None or value == "":
        return EMPTY
    # a multi-line error message stays on its row
    text = f"{value:g}" if isinstance(value, float) else " ".join(str(value).split())
    return text if len(text) <= max_width else text[:max_width - 1] + "…"


def _numeric(values: Iterable[object]) -> bool:
    given = [v for v in values if v is not None]
    return bool(given) and all(isinstance(v, int | float) and not isinstance(v, bool)
                               for v in given)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]],
          max_width: int = MAX_CELL) -> str:
    """The rows under their headers, columns two spaces apart; columns of numbers aligned
    right, others left; a cell cut at `max_width` characters. No trailing spaces."""
    raw = [list(r) for r in rows]
    texts = [[cell(v, max_width) for v in r] for r in raw]
    widths = [max([len(h), *(len(r[i]) for r in texts)]) for i, h in enumerate(headers)]
    right = [_numeric(r[i] for r in raw) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w)
                         for v, w, r in zip(values, widths, right, strict=True)).rstrip()

    return "\n".join([line([h.rjust(w) if r else h for h, w, r
                            in zip(headers, widths, right, strict=True)]),
                      *(line(r) for r in texts)])


def pairs(items: Sequence[tuple[str, object]]) -> str:
    """`label: value` lines, the values aligned."""
    width = max((len(label) for label, _ in items), default=0) + 1
    return "\n".join(f"{label + ':':<{width}} {cell(value, 200)}" for label, value in items)


def when(iso: str | None) -> str | None:
    """`2024-01-01T12:00:00.123Z` as `2024-01-01 12:00:00` (UTC, to the second)."""
    if not iso:
        return None
    return iso.replace("T", " ")[:19]


def duration(seconds: float | int | None) -> str | None:
    """Seconds as a short duration: `250ms`, `4.2s`, `42s`, `3m05s`, `2h07m`, `3d04h`."""
    if seconds is None:
        return None
    if seconds < 0.9995:  # else it would round to "1000ms"
        return f"{seconds * 1000:.0f}ms"
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    for unit, size, sub, sub_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60),
                                      ("m", 60, "s", 1)):
        if whole >= size:
            return f"{whole // size}{unit}{(whole % size) // sub_size:02d}{sub}"
    return f"{whole}s"


def id_list(ids: Sequence[str], shown: int = 3) -> str:
    """The first `shown` IDs, and how many more."""
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" +{more} more" if more > 0 else "")
