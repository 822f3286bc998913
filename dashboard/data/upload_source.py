"""An upload's bytes, in memory or in a file on disk, read in blocks; and its text, checked and made UTF-8.

Parsing a file on disk never holds the whole file in memory: every check here is one pass over 8 MiB
blocks, and Arrow reads the file itself. A text file that is not UTF-8 with ``\\n`` line ends is first
rewritten (streamed) to a temp file that is; everything after sees only UTF-8.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from model_store.lazy import lazy_module

pa = lazy_module("pyarrow")

BLOCK = 8 << 20
FALLBACK_ENCODING = "cp1252"  # the stated fallback when a file is not UTF-8 (Excel's CSV export)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Source:
    """An upload's bytes: ``bytes`` (tests, files the app writes itself) or a ``Path`` (browser and REST)."""

    def __init__(self, content: bytes | Path) -> None:
        self.content = content
        self.size = content.stat().st_size if isinstance(content, Path) else len(content)

    @property
    def path(self) -> Path | None:
        return self.content if isinstance(self.content, Path) else None

    def open(self) -> BinaryIO:
        if isinstance(self.content, Path):
            return open(self.content, "rb")
        return io.BytesIO(self.content)  # shares the bytes until written to

    def arrow_input(self) -> pa.NativeFile:
        """A fresh Arrow reader: a file read natively in blocks, or the bytes without a copy."""
        if isinstance(self.content, Path):
            return pa.OSFile(str(self.content))
        return pa.BufferReader(self.content)

    def head(self, size: int) -> bytes:
        with self.open() as fh:
            return fh.read(size)

    def blocks(self) -> Iterator[bytes]:
        with self.open() as fh:
            while block := fh.read(BLOCK):
                yield block


@dataclass
class TextScan:
    """What one pass over UTF-8 text found: enough to check it without holding it."""

    quotes: int = 0
    newlines: int = 0
    has_cr: bool = False
    blank: bool = True
    cr_only: bool = False  # the file's line ends were CR alone (old Mac), rewritten as \n
    encoding_notes: list[str] = field(default_factory=list)

    def add(self, block: bytes) -> None:
        self.quotes += block.count(b'"')
        self.newlines += block.count(b"\n")
        self.has_cr = self.has_cr or b"\r" in block
        self.blank = self.blank and (not block.strip())


class TextProblem(ValueError):
    """``code`` as in UploadError, raised by the uploads module with the field named."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _encoding(source: Source) -> str:
    """``utf-8``, ``utf-16`` (with a BOM) or the cp1252 fallback; a NUL byte outside UTF-16 is binary."""
    if source.head(2) in UTF16_BOMS:
        try:
            decoder = codecs.getincrementaldecoder("utf-16")()
            for block in source.blocks():
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-16"
        except UnicodeDecodeError:
            pass
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines, utf8_error = 0, 0, None
    for block in source.blocks():
        nul = block.find(b"\x00")
        if nul >= 0:  # anywhere in the file, not just its start: a NUL never belongs in a text cell
            line = lines + block.count(b"\n", 0, nul) + 1
            raise TextProblem("binary_content", f"the file contains binary data, not text (a NUL byte on line {line})")
        lines += block.count(b"\n")
        if utf8_error is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                utf8_error = offset + exc.start
        offset += len(block)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = offset
    if utf8_error is None:
        return "utf-8"
    try:
        cp1252 = codecs.getincrementaldecoder(FALLBACK_ENCODING)()
        for block in source.blocks():
            cp1252.decode(block)
    except UnicodeDecodeError:
        raise TextProblem(
            "undecodable_text", f"not UTF-8 (byte {utf8_error}) and not {FALLBACK_ENCODING} either; save it as UTF-8"
        ) from None
    return FALLBACK_ENCODING


def _scan(source: Source) -> TextScan:
    scan = TextScan()
    for block in source.blocks():
        scan.add(block)
    return scan


def _rewrite(source: Source, encoding: str, cr_only: bool, directory: Path | None) -> Path:
    """``source`` decoded from ``encoding`` and written as UTF-8, CR line ends made ``\\n``, block by block."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".text-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out:
            for block in itertools.chain(source.blocks(), [b""]):
                text = decoder.decode(block, final=not block)
                out.write((text.replace("\r", "\n") if cr_only else text).encode("utf-8"))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


@contextlib.contextmanager
def utf8_text(source: Source) -> Iterator[tuple[Source, TextScan]]:
    """``source`` as UTF-8 text with ``\\n`` line ends (itself, or a temp copy deleted afterwards), and its scan.
    Raises :class:`TextProblem` for binary content or undecodable text."""
    encoding = _encoding(source)
    notes = {"utf-16": ["decoded as UTF-16"], "utf-8": []}.get(
        encoding, [f"the file is not UTF-8; decoded as {FALLBACK_ENCODING} (Windows Western)"]
    )
    scan = _scan(source) if encoding == "utf-8" else None
    cr_only = scan is not None and scan.has_cr and scan.newlines == 0
    if encoding == "utf-8" and not cr_only:
        scan.encoding_notes = notes
        yield source, scan
        return
    directory = source.path.parent if source.path else None
    rewritten = _rewrite(source, encoding, cr_only, directory)
    try:
        text = Source(rewritten)
        scan = _scan(text)
        if scan.has_cr and scan.newlines == 0:  # CR-only in UTF-16 or cp1252: one more rewrite
            again = _rewrite(text, "utf-8", True, directory)
            rewritten.unlink()
            rewritten, cr_only = again, True
            text = Source(rewritten)
            scan = _scan(text)
        scan.encoding_notes, scan.cr_only = notes, cr_only
        yield text, scan
    finally:
        rewritten.unlink(missing_ok=True)


def text_head(source: Source, size: int = 1 << 20) -> str:
    """The start of a UTF-8 source as text (a character cut at the end is dropped)."""
    return codecs.getincrementaldecoder("utf-8-sig")().decode(source.head(size))


def text_lines(source: Source) -> Iterator[str]:
    """The lines of a UTF-8 source, without their line ends, one at a time."""
    with io.TextIOWrapper(source.open(), encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def control_ratio(text: str) -> float:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls / max(len(sample), 1)
