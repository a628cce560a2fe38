"""Zip archives for the tests of uploads: made in memory, and tampered with as a hostile
file would be (a directory that declares what the data does not hold)."""

from __future__ import annotations

import io
import struct
import zipfile


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of `members` (name → bytes; a name ending in / is a folder)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            if name.endswith("/"):
                archive.mkdir(name.rstrip("/"))
            else:
                archive.writestr(name, content)
    return out.getvalue()


def patch_directory(data: bytes, name: str, *, size: int | None = None,
                    flags: int | None = None) -> bytes:
    """Rewrite what the zip's directory (and the local header) declares of member `name`:
    its uncompressed size, its flag bits. The data stays as it was."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    local = info.header_offset
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46:central + 46 + name_length] == name.encode():
            if size is not None:
                struct.pack_into("<I", out, central + 24, size)
                struct.pack_into("<I", out, local + 22, size)
            if flags is not None:
                struct.pack_into("<H", out, central + 8, flags)
                struct.pack_into("<H", out, local + 6, flags)
            return bytes(out)
        central = out.find(b"PK\x01\x02", central + 46)
    raise AssertionError(f"{name} not in the directory")
