"""A failed tiktoken download is remembered, so offline runs do not pay for trying again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from {{ package }}.chatdata.offline import (
    RETRY_AFTER,
    memo_path,
    recent_failure,
    record_failure,
)
from {{ package }}.chatdata.tokens import load_counter

# Open-weights starters count no tokens with tiktoken and do not install it.
tiktoken = pytest.importorskip("tiktoken", reason="tiktoken is not installed")


class FakeEncoding:
    """Stands in for a downloaded encoding: one token per character."""

    def encode_ordinary(self, text: str) -> list[int]:
        return [ord(c) for c in text]


def never_called(name: str) -> None:
    raise AssertionError(f"tried to load {name}")


@pytest.mark.usefixtures("offline")
def test_auto_does_not_try_again_after_a_failed_download(monkeypatch: pytest.MonkeyPatch):
    first = load_counter("o200k_base")
    assert first.exact is False
    assert recent_failure("o200k_base") is not None
    monkeypatch.setattr(tiktoken, "get_encoding", never_called)
    again = load_counter("o200k_base")
    assert again.exact is False
    assert "tries again from" in again.description
    assert "--tokenizer tiktoken" in again.description


def test_tokenizer_tiktoken_always_tries(monkeypatch: pytest.MonkeyPatch):
    record_failure("o200k_base", "ConnectionError: offline")
    monkeypatch.setattr(tiktoken, "get_encoding", never_called)
    with pytest.raises(LookupError, match="tried to load o200k_base"):
        load_counter("o200k_base", "tiktoken")


def test_after_a_while_auto_tries_again_and_a_success_clears_the_record(
    monkeypatch: pytest.MonkeyPatch,
):
    long_ago = dt.datetime.now(dt.UTC) - RETRY_AFTER - dt.timedelta(minutes=1)
    record_failure("o200k_base", "ConnectionError: offline", now=long_ago)
    assert recent_failure("o200k_base") is None
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: FakeEncoding())
    counter = load_counter("o200k_base")
    assert (counter.exact, counter.count("abc")) == (True, 3)
    assert "o200k_base" not in memo_path().read_text("utf-8")


def test_a_record_that_cannot_be_written_or_read_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    record_failure("o200k_base", "ConnectionError: offline")
    assert recent_failure("o200k_base") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    memo_path().parent.mkdir(parents=True)
    memo_path().write_text('{"o200k_base": {"when": "yesterday"}}', "utf-8")
    assert recent_failure("o200k_base") is None
