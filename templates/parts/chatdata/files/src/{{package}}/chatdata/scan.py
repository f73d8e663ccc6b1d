"""Stream a chat-format JSONL file into a :class:`Summary`, in constant memory.

The file is read in batches of lines, never whole. Per-type line numbers and problem
details are kept up to ``limit`` each (counts are always exact) and token counts go into
histograms, so memory does not grow with the file. Files of :data:`PARALLEL_MIN_BYTES` or
more are cut into byte ranges at line starts and scanned by one process per core; each
range reports line numbers relative to its start and :meth:`Summary.merge` shifts them.

The process pool (multiprocessing) is imported only for a parallel scan: a small file's
scan never pays for it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .rules import (
    DEFAULT_LIMIT,
    ERROR_TYPES,
    MAX_TOKENS_PER_EXAMPLE,
    check_example,
    has_system_or_user,
)
from .tokens import (
    TokenCounter,
    approximate_counter,
    load_counter,
    message_overheads,
    plain_example_tokens,
)

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
READ_BATCH_BYTES = 1024 * 1024


@dataclass
class Lines:
    """How many lines have one property, and the first ``limit`` of their numbers."""

    count: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int, limit: int) -> None:
        self.count += 1
        if len(self.lines) < limit:
            self.lines.append(line)

    def merge(self, other: Lines, offset: int, limit: int) -> None:
        self.count += other.count
        room = limit - len(self.lines)
        if room > 0:
            self.lines.extend(line + offset for line in other.lines[:room])


@dataclass
class Summary:
    """What a scan found. Mergeable, so byte ranges can be scanned separately."""

    lines: int = 0
    examples: int = 0
    valid: int = 0
    blank: Lines = field(default_factory=Lines)
    errors: dict[str, Lines] = field(default_factory=dict)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)
    problems_total: int = 0
    no_system_or_user: Lines = field(default_factory=Lines)
    over_limit: Lines = field(default_factory=Lines)
    total_tokens: Counter[int] = field(default_factory=Counter)
    assistant_tokens: Counter[int] = field(default_factory=Counter)

    def error(self, line: int | None, kind: str, detail: str, limit: int) -> None:
        """Record a problem at ``line``, or of the whole file when ``line`` is None."""
        lines = self.errors.setdefault(kind, Lines())
        if line is None:
            lines.count += 1
        else:
            lines.add(line, limit)
        self.problems_total += 1
        if len(self.problems) < limit:
            self.problems.append((line, kind, detail))

    def merge(self, other: Summary, limit: int) -> None:
        """Append ``other``, the scan of the lines that follow this one's."""
        offset = self.lines
        self.lines += other.lines
        self.examples += other.examples
        self.valid += other.valid
        self.blank.merge(other.blank, offset, limit)
        for kind, lines in other.errors.items():
            self.errors.setdefault(kind, Lines()).merge(lines, offset, limit)
        room = limit - len(self.problems)
        self.problems.extend(
            (None if n is None else n + offset, k, d) for n, k, d in other.problems[: max(room, 0)]
        )
        self.problems_total += other.problems_total
        self.no_system_or_user.merge(other.no_system_or_user, offset, limit)
        self.over_limit.merge(other.over_limit, offset, limit)
        self.total_tokens.update(other.total_tokens)
        self.assistant_tokens.update(other.assistant_tokens)

    def error_counts(self) -> dict[str, int]:
        return {k: self.errors[k].count for k in ERROR_TYPES if k in self.errors}


def scan_lines(lines: Iterable[bytes], counter: TokenCounter, limit: int) -> Summary:
    """Check every line; lines are numbered from 1 within ``lines``."""
    summary = Summary()
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    example_tokens = counter.example_tokens
    count = counter.count
    overheads = message_overheads(count)
    total_hist = summary.total_tokens
    assistant_hist = summary.assistant_tokens
    number = examples = valid = 0
    for raw in lines:
        number += 1
        if raw.isspace() or not raw:
            summary.blank.add(number, limit)
            continue
        examples += 1
        try:
            example = loads(raw)
        except decode_error as exc:
            summary.error(number, "invalid_json", str(exc), limit)
            continue
        plain = None
        if type(example) is dict:
            plain = plain_example_tokens(example.get("messages"), count, overheads)
        if plain is not None:
            total, assistant, asked = plain
        else:
            problems = check_example(example)
            if problems:
                for kind, detail in problems:
                    summary.error(number, kind, detail, limit)
                continue
            messages = example["messages"]
            asked = has_system_or_user(messages)
            total, assistant = example_tokens(messages)
        valid += 1
        if not asked:
            summary.no_system_or_user.add(number, limit)
        total_hist[total] += 1
        assistant_hist[assistant] += 1
        if total > MAX_TOKENS_PER_EXAMPLE:
            summary.over_limit.add(number, limit)
    summary.lines, summary.examples, summary.valid = number, examples, valid
    return summary


def read_range(path: Path, start: int, end: int) -> Iterator[bytes]:
    """The lines that start in ``[start, end)``, read in batches (``start`` is a line start)."""
    with path.open("rb") as handle:
        handle.seek(start)
        position = start
        while position < end:
            batch = handle.readlines(READ_BATCH_BYTES)
            if not batch:
                return
            for line in batch:
                if position >= end:
                    return
                position += len(line)
                yield line


def line_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """Cut the file into about ``parts`` byte ranges, each starting at a line start."""
    size = path.stat().st_size
    starts = [0]
    with path.open("rb") as handle:
        for i in range(1, parts):
            handle.seek(size * i // parts)
            handle.readline()
            position = handle.tell()
            if starts[-1] < position < size:
                starts.append(position)
    return list(zip(starts, [*starts[1:], size], strict=True))


def _scan_range(
    path: Path, start: int, end: int, encoding: str | None, exact: bool, limit: int
) -> Summary:
    """One worker's share. The parent already chose the tokenizer: workers follow it."""
    counter = load_counter(encoding, "tiktoken") if exact else approximate_counter()
    return scan_lines(read_range(path, start, end), counter, limit)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def scan_file(
    path: Path,
    counter: TokenCounter,
    limit: int = DEFAULT_LIMIT,
    workers: int | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
) -> Summary:
    """Scan ``path``; files of ``parallel_min_bytes`` or more in parallel, one byte range
    per worker process (starting processes costs more than scanning a small file)."""
    workers = default_workers() if workers is None else workers
    size = path.stat().st_size
    if workers <= 1 or size < parallel_min_bytes:
        return scan_lines(read_range(path, 0, size), counter, limit)
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    ranges = line_ranges(path, workers)
    summary = Summary()
    # fork where there is one: spawn and forkserver re-import the __main__ module, which
    # for `python -m <package>` is the CLI itself. No thread is running at this point.
    method = "fork" if "fork" in get_all_start_methods() else None
    with ProcessPoolExecutor(len(ranges), mp_context=get_context(method)) as pool:
        futures = [
            pool.submit(_scan_range, path, a, b, counter.encoding, counter.exact, limit)
            for a, b in ranges
        ]
        for future in futures:
            summary.merge(future.result(), limit)
    return summary
