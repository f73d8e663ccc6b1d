"""Splitting documents into chunks: on structure first, on characters last.

Markdown is first cut into sections at its headings (never inside fenced code), so a chunk
never mixes two sections and carries its heading path ("Hypertension > Treatment") for
retrieval and citation instead of the heading line. A section longer than ``chunk_size``
is cut at the last paragraph break that fits, else the last line break, else the last
sentence end, else the last space, and only then mid-word. Consecutive chunks of a section
overlap by up to ``chunk_overlap`` characters, starting at a word boundary.

The splitter works on offsets with ``str.rfind`` rather than splitting and re-joining
strings, which keeps it fast on large corpora; sizes are in characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Cut points in order of preference: (separator, how much of it stays in the chunk).
_PARAGRAPH = (("\n\n", 0),)
_NEWLINE = (("\n", 0),)
# Sentence ends, including the ideographic full stop (U+3002) and its fullwidth form (U+FF0E).
_SENTENCE = ((". ", 1), ("? ", 1), ("! ", 1), ("; ", 1), ("\u3002", 1), ("\uff0e", 1))
_WORD = ((" ", 0), ("\t", 0))
_TIERS = (_PARAGRAPH, _NEWLINE, _SENTENCE, _WORD)

# A heading or fence line: group 1 is a fence, group 2 a heading's hashes, group 3 the rest.
# Matched after a newline (a literal first character lets the regex engine scan fast) and,
# separately, at the very start of the text.
_LINE = r"(?:(```|~~~)|(#{1,6})[ \t]+)([^\n]*)"
_LINE_AT_START = re.compile(_LINE)
_LINE_AFTER_NEWLINE = re.compile("\n" + _LINE)
_WHITESPACE = re.compile(r"\s")
_NON_SPACE = re.compile(r"\S")


@dataclass(slots=True)
class Chunk:
    """A piece of a document: its text, where it starts and the section it belongs to."""

    text: str
    start: int
    heading: str = ""


def split_text(
    text: str,
    chunk_size: int,
    chunk_overlap: int = 0,
    *,
    markdown: bool = False,
    breaks: Sequence[int] = (),
) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``chunk_size`` characters.

    No chunk spans an offset in ``breaks`` (sorted; a PDF's page starts), so every chunk
    comes from one page and cites it.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    if not 0 <= chunk_overlap < chunk_size:
        raise ValueError(
            f"chunk_overlap must be from 0 to chunk_size - 1, got {chunk_overlap}"
        )
    chunks: list[Chunk] = []
    sections = markdown_sections(text) if markdown else [(0, len(text), "")]
    for start, end, heading in _cut_at(sections, breaks):
        _split_span(text, start, end, heading, chunk_size, chunk_overlap, chunks)
    return chunks


def markdown_sections(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, heading path)`` of each section's body (the text under a heading).

    The heading line itself is not part of the body: it travels as the heading path.
    Headings with nothing under them are left out; their title lives on in the heading
    path of the sections below them.
    """
    starts: list[tuple[int, int, str]] = []  # (heading line start, body start, heading path)
    path: list[tuple[int, str]] = []
    in_fence: str | None = None
    first_line = _LINE_AT_START.match(text)
    lines = ([first_line] if first_line else []) + list(_LINE_AFTER_NEWLINE.finditer(text))
    for match in lines:
        fence, hashes, rest = match.groups()
        if fence:
            if in_fence is None:
                in_fence = fence
            elif fence == in_fence:
                in_fence = None
            continue
        if in_fence is not None:
            continue
        level = len(hashes)
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, _heading_title(rest)))
        line_start = match.start() if match is first_line else match.start() + 1
        starts.append((line_start, match.end(), " > ".join(title for _, title in path)))

    sections: list[tuple[int, int, str]] = []
    first = starts[0][0] if starts else len(text)
    if _NON_SPACE.search(text, 0, first):
        sections.append((0, first, ""))
    for i, (_, body, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        if _NON_SPACE.search(text, body, end):
            sections.append((body, end, heading))
    return sections


def _cut_at(
    sections: list[tuple[int, int, str]], breaks: Sequence[int]
) -> list[tuple[int, int, str]]:
    """``sections`` cut at every offset in ``breaks`` that falls inside one."""
    if not breaks:
        return sections
    cut: list[tuple[int, int, str]] = []
    for start, end, heading in sections:
        for offset in breaks[bisect.bisect_right(breaks, start):]:
            if offset >= end:
                break
            cut.append((start, offset, heading))
            start = offset
        cut.append((start, end, heading))
    return cut


def _heading_title(rest: str) -> str:
    """A heading's text without the optional closing hashes (``## Title ##``)."""
    title = rest.strip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        return bare.rstrip()
    return title


def _split_span(
    text: str,
    start: int,
    end: int,
    heading: str,
    size: int,
    overlap: int,
    out: list[Chunk],
) -> None:
    """Append the chunks of ``text[start:end]`` to ``out`` (one loop turn per chunk).

    The common case (a paragraph break inside the window) is inlined; this loop is the
    splitter's hot path.
    """
    append = out.append
    rfind = text.rfind
    pos = start
    while pos < end:
        if text[pos].isspace():
            word = _NON_SPACE.search(text, pos, end)
            if word is None:
                return
            pos = word.start()
        if end - pos <= size:
            append(Chunk(text[pos:end].rstrip(), pos, heading))
            return
        cut = rfind("\n\n", pos + 1, pos + size + 2)
        if cut == -1:
            cut = _best_cut(text, pos, pos + size)
        append(Chunk(text[pos:cut].rstrip(), pos, heading))
        back = cut - overlap
        if overlap == 0 or back <= pos:
            pos = cut
        elif text[back - 1].isspace():
            pos = back
        else:
            boundary = _WHITESPACE.search(text, back, cut)
            pos = boundary.end() if boundary else back


def _best_cut(text: str, pos: int, limit: int) -> int:
    """The end of a chunk starting at ``pos``: the best-ranked cut point in ``(pos, limit]``."""
    for tier in _TIERS:
        best = -1
        for separator, kept in tier:
            found = text.rfind(separator, pos + 1, limit + len(separator) - kept)
            if found + kept > best and found != -1:
                best = found + kept
        if best > pos:
            return best
    return limit
