"""Loading documents: Markdown, plain text and PDF, keeping PDF page numbers.

A :class:`Document` is one file's text plus where each page starts in it, so a chunk cut
anywhere in the text can still say which page it came from.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
PAGE_SEPARATOR = "\n\n"


class DocumentError(click.ClickException):
    """A file that cannot be read as a document; one line naming the file, exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class Document:
    """One file's text; ``page_starts[i]`` is where page ``i + 1`` begins (PDF only)."""

    source: str
    text: str
    page_starts: tuple[int, ...] = field(default=())
    markdown: bool = False

    @property
    def file_name(self) -> str:
        return Path(self.source).name

    @property
    def page_breaks(self) -> tuple[int, ...]:
        """Where pages 2, 3, ... begin: no chunk may span one (a chunk cites one page)."""
        return self.page_starts[1:]

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for documents without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


def source_name(path: Path) -> str:
    """How a file is named in the index: relative to the working directory when inside it.

    The name is part of every chunk's id, so ingesting ``data/corpus`` and
    ``data/corpus/diabetes.md`` from the project folder address the same chunks.
    """
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def find_documents(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the supported files, sorted, without duplicates.

    A file named explicitly must be supported; files found in folders are filtered by suffix
    and hidden files and folders are skipped.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(_walk(path)):
                found.setdefault(candidate, None)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
                raise DocumentError(f"{path}: unsupported file type (allowed: {allowed})")
            found.setdefault(path, None)
        else:
            raise DocumentError(f"{path}: no such file or folder")
    return list(found)


def _walk(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def load_document(path: Path) -> Document:
    """Read one supported file into a :class:`Document`."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _load_pdf(path)
    if suffix not in TEXT_SUFFIXES:
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"{path}: unsupported file type (allowed: {allowed})")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return Document(
        source_name(path),
        text.replace("\r\n", "\n"),
        markdown=suffix in {".md", ".markdown"},
    )


def _load_pdf(path: Path) -> Document:
    """Extract each page's text with pypdf; pages are joined by a blank line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with _quiet("pypdf"):
            reader = PdfReader(path)
            if reader.is_encrypted:
                raise DocumentError(f"{path}: encrypted PDF; decrypt it first")
            pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, OSError, ValueError) as exc:
        raise DocumentError(f"{path}: not a readable PDF ({type(exc).__name__})") from None
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for text in pages:
        starts.append(offset)
        cleaned = text.replace("\r\n", "\n").strip()
        parts.append(cleaned)
        offset += len(cleaned) + len(PAGE_SEPARATOR)
    return Document(source_name(path), PAGE_SEPARATOR.join(parts), tuple(starts))


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Hold back a library's log warnings ("invalid pdf header", "EOF marker not found"):
    a file pypdf cannot read gets one line of our own, not its diagnostics first."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR + 10)
    try:
        yield
    finally:
        logger.setLevel(level)
