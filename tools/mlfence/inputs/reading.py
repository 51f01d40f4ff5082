"""Reading one input's bytes with a bound, and turning them into text.

Only regular files are read: a FIFO blocks until a writer comes, a device such as /dev/zero
never ends, and a socket is not a file. The size cap counts the bytes actually read, since
stat() says 0 for pipes and devices and a file may grow while it is read.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import BinaryIO

from mlfence.inputs import limits
from mlfence.inputs.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
ZIP_MAGIC = b"PK\x03\x04"


def read_file(path: Path, cap: int | None = None) -> bytes:
    """The bytes of a regular file, refusing anything else and anything over the cap."""
    cap = limits.MAX_INPUT_BYTES if cap is None else cap
    try:
        mode = os.stat(path).st_mode  # a socket cannot even be opened: name it before trying
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"not a regular file ({_kind(mode)}): refusing to read it")
    try:
        # O_NONBLOCK: should the path have become a FIFO since, opening must not wait for a
        # writer; fstat below checks what was actually opened.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"not a regular file ({_kind(mode)}): refusing to read it")
        return read_bounded(handle, cap)


def read_bounded(handle: BinaryIO, cap: int | None = None) -> bytes:
    """At most `cap` bytes from a stream; one byte more is an input error."""
    cap = limits.MAX_INPUT_BYTES if cap is None else cap
    try:
        data = handle.read(cap + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if data is None:  # a non-blocking stream with nothing yet
        data = b""
    if len(data) > cap:
        raise InputError(f"over the {cap}-byte limit for one input; split it or check the parts separately")
    return data


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8, or UTF-8/UTF-16/UTF-32 with a byte-order mark (Windows PowerShell
    writes `terraform show -json > plan.json` as UTF-16 LE with a BOM). A zip is a binary
    Terraform plan; anything else that is not text is refused, never guessed at."""
    if data.startswith(ZIP_MAGIC):
        raise InputError(
            "is a zip archive, likely a binary plan from `terraform plan -out`; scan the JSON "
            "of it instead: `terraform show -json plan.tfplan > plan.json`"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {encoding} byte-order mark but is not {encoding} (byte {exc.start + len(bom)})"
                ) from None
    if b"\x00" in data[:8192]:
        raise InputError("binary data (NUL bytes), not YAML or JSON text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
