"""The worker's memory: blocks of 128 kB and more go back to the system when freed.

glibc serves such a block with its own mapping, unmapped when freed, but raises that
threshold (up to 32 MB) each time one is freed: soon a worker's pages of a few MB (legacy
pages, kept pages, COPY buffers) come from the heap, where a freed one stays behind the
small objects allocated after it. Fixing the threshold keeps a worker's peak RSS nearly
flat from a medium organisation to a large one (bench/README.md: 93 → 107 MB without, 92
→ 95 MB with it, at no measurable cost in time).
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
LARGE_BLOCK_BYTES = 128 * 1024  # glibc's initial threshold, kept from now on


def return_large_blocks() -> bool:
    """Fix the C library's mmap threshold at LARGE_BLOCK_BYTES. False where that cannot be
    done (a C library without mallopt): memory then behaves as before."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no C library of that kind here
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES))
