"""Streaming and parallel scanning, and how tokens are counted."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from {{ package }}.chatdata.scan import scan_file
from {{ package }}.chatdata.tokens import (
    approximate_counter,
    load_counter,
    message_overheads,
    plain_example_tokens,
)

PROJECT = Path(__file__).resolve().parents[2]


def write_mixed(path: Path, lines: int) -> None:
    """Valid examples with a bad line every 7th and a blank one every 11th."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(1, lines + 1):
            if i % 11 == 0:
                handle.write("\n")
            elif i % 7 == 0:
                handle.write('{"messages": "nope"}\n')
            else:
                message = {"role": "user", "content": f"question {i} " + "x" * (i % 50)}
                answer = {"role": "assistant", "content": f"answer {i}"}
                handle.write(json.dumps({"messages": [message, answer]}) + "\n")


def test_parallel_scan_equals_sequential_scan(tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    write_mixed(path, 3000)
    counter = approximate_counter()
    sequential = scan_file(path, counter, limit=10_000, workers=1)
    parallel = scan_file(path, counter, limit=10_000, workers=3, parallel_min_bytes=0)
    assert parallel == sequential
    assert sequential.errors["missing_messages_list"].lines[:3] == [7, 14, 21]
    assert sequential.blank.count == 3000 // 11
    assert sequential.lines == 3000


def test_memory_stays_flat_on_a_large_file(tmp_path: Path):
    path = tmp_path / "large.jsonl"
    write_mixed(path, 120_000)  # about 10 MB
    size = path.stat().st_size
    tracemalloc.start()
    try:
        summary = scan_file(path, approximate_counter(), workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.lines == 120_000
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"


def test_fast_path_counts_like_the_full_count():
    counter = approximate_counter()
    for line in (PROJECT / "data" / "train.jsonl").read_text("utf-8").splitlines():
        messages = json.loads(line)["messages"]
        overheads = message_overheads(counter.count)
        total, assistant, asked = plain_example_tokens(messages, counter.count, overheads)
        assert (total, assistant) == counter.example_tokens(messages)
        assert asked


@pytest.mark.usefixtures("offline")
def test_without_network_or_cache_the_count_is_approximate_and_says_why():
    counter = load_counter("o200k_base")
    assert counter.exact is False
    assert "approximate" in counter.description
    assert "could not load o200k_base" in counter.description
    assert counter.count("abcdefgh") == 2
    with pytest.raises(LookupError, match="o200k_base"):
        load_counter("o200k_base", "tiktoken")


def _tiktoken_cached(encoding: str) -> bool:
    url = f"https://openaipublic.blob.core.windows.net/encodings/{encoding}.tiktoken"
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") or (
        os.path.join(tempfile.gettempdir(), "data-gym-cache")
    )
    key = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()  # tiktoken's cache key
    return os.path.exists(os.path.join(cache, key))


@pytest.mark.skipif(
    not _tiktoken_cached("o200k_base"),
    reason="tiktoken's o200k_base is not cached here and tests never download it",
)
def test_tiktoken_counts_exactly_when_the_encoding_is_cached():
    counter = load_counter("o200k_base", "tiktoken")
    assert counter.exact is True
    assert counter.description == "tiktoken o200k_base"
    assert counter.count("hello world") == 2
