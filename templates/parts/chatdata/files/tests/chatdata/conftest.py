"""Fixtures for the data commands' tests: a clean working directory and file writers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty directory (no developer's .env) with no FINETUNE_* variables and a
    cache directory of the test's own (no remembered download failures)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("FINETUNE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield tmp_path


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty tiktoken cache, and a proxy that refuses connections: tiktoken cannot
    download an encoding."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


def make_example(question: str = "What is the HbA1c target?", answer: str = "below 7%") -> dict:
    return {
        "messages": [
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    }


@pytest.fixture
def example() -> Callable[..., dict]:
    """A function making a valid system/user/assistant example."""
    return make_example


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """Write lines (objects are JSON-encoded, strings written as they are) to a file."""

    def write(lines: list[Any], name: str = "data.jsonl") -> Path:
        path = tmp_path / name
        text = "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
            for line in lines
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write
