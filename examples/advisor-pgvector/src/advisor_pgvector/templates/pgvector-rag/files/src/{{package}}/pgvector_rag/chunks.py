"""Split Markdown documents into chunks small enough to embed and to quote in a prompt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Chunk:
    source: str  # the file name, which the evaluation's retrieval hit rate compares
    index: int
    text: str


def split(text: str, source: str, max_chars: int = 1200) -> list[Chunk]:
    """Pack whole paragraphs into chunks of at most ``max_chars``; cut longer paragraphs."""
    pieces: list[str] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        while len(paragraph) > max_chars:
            pieces.append(paragraph[:max_chars])
            paragraph = paragraph[max_chars:]
        if paragraph:
            pieces.append(paragraph)
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + 2 + len(piece) <= max_chars:
            packed[-1] += "\n\n" + piece
        else:
            packed.append(piece)
    return [Chunk(source, index, body) for index, body in enumerate(packed)]


def load_corpus(folder: Path, max_chars: int = 1200) -> list[Chunk]:
    """Every ``*.md`` file under ``folder``, chunked, in a stable order."""
    chunks: list[Chunk] = []
    for path in sorted(folder.glob("*.md")):
        chunks.extend(split(path.read_text(encoding="utf-8"), path.name, max_chars))
    return chunks
