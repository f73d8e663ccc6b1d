"""Keyword retrieval: split the corpus into paragraphs, rank them by shared words.

A stand-in for a vector store with the same shape: :func:`search` takes a question and
returns the best passages with the file each came from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Passage:
    """One paragraph of a corpus file."""

    source: str
    text: str


def corpus_folder() -> Path:
    return Path(os.environ.get("[[ env_prefix ]]_CORPUS") or "data/corpus")


def top_k() -> int:
    raw = os.environ.get("[[ env_prefix ]]_TOP_K") or "3"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"[[ env_prefix ]]_TOP_K {raw!r}: not usable (allowed: an integer >= 1)")
    return int(raw)


def passages(folder: Path) -> list[Passage]:
    """Every paragraph of every Markdown file under ``folder`` (headings left out)."""
    found = []
    for path in sorted(folder.rglob("*.md")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            text = " ".join(block.split())
            if text and not text.startswith("#"):
                found.append(Passage(path.name, text))
    return found


def words(text: str) -> set[str]:
    return {word.casefold() for word in WORD.findall(text)}


def search(question: str, corpus: list[Passage], k: int = 3) -> list[Passage]:
    """The ``k`` passages sharing the most words with ``question``, best first."""
    asked = words(question)
    scored = [(len(asked & words(p.text)), index) for index, p in enumerate(corpus)]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    return [corpus[index] for _, index in ranked[:k]]
