"""The prompt that carries the retrieved sources, and the sources printed under an answer.

Each source is numbered; the model is asked to answer only from them and to cite them as
``[n]``, and the same numbers label the list printed after the answer, so a reader can
check every claim against a file and page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SYSTEM_PROMPT = (
    "You answer questions using only the numbered sources you are given. "
    "Cite the sources you use as [n]. If the sources do not contain the answer, say that "
    "you cannot answer from the available documents instead of guessing. "
    "Answer in the language of the question."
)


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk and where it came from."""

    text: str
    source: str
    page: int | None = None
    heading: str = ""
    score: float | None = None

    @property
    def file_name(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def label(self) -> str:
        """``file, page N`` or ``file (section)``: how the source is cited."""
        where = self.source
        if self.page is not None:
            where += f", page {self.page}"
        if self.heading:
            where += f" ({self.heading})"
        return where


def build_messages(question: str, hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Chat messages: the instructions, then the numbered sources and the question."""
    if hits:
        blocks = [f"[{n}] {hit.label()}\n{hit.text}" for n, hit in enumerate(hits, start=1)]
        context = "\n\n".join(blocks)
    else:
        context = "(no sources were found)"
    user = f"Sources:\n\n{context}\n\nQuestion: {question}"
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user},
    ]


def format_sources(hits: Sequence[Hit]) -> str:
    """The numbered list printed after an answer; one line per source."""
    if not hits:
        return "Sources: none found"
    lines = ["Sources:"]
    lines.extend(f"  [{n}] {hit.label()}" for n, hit in enumerate(hits, start=1))
    return "\n".join(lines)


def source_files(hits: Sequence[Hit]) -> list[str]:
    """Distinct file names in retrieval order (what the evaluation's hit rate compares)."""
    return list(dict.fromkeys(hit.file_name for hit in hits))
