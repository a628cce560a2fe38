"""Python's cyclic garbage collector, paused while a batch builds objects that live on.

Loading a migration's staged records and building its journal make a few million objects
that all stay alive; each full collection meanwhile walks every one of them, and they made
the gates take twice as long (bench/README.md, issue 8). Reference counting still frees
everything else while the collector is paused; cycles wait until it resumes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_pauses = 0  # pauses open in this process (several jobs may be in one at once)
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection until every open pause has ended (then as before)."""
    global _pauses, _was_enabled
    if _pauses == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _pauses == 0 and _was_enabled:
            gc.enable()
