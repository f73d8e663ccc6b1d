"""Remembering that tiktoken could not download an encoding, so offline runs skip the try.

tiktoken downloads an encoding the first time it is used. Without network the download
fails, but only after importing ``requests`` and what it needs (about 75 ms, as long as
validating fifteen thousand examples) and, behind a firewall that drops packets, after the
connection gives up. So a failed download is recorded here, and for :data:`RETRY_AFTER`
``validate --tokenizer auto`` approximates without trying again, saying so and when it
will; ``--tokenizer tiktoken`` always tries, and a download that succeeds clears the
record. The record is a small JSON file in the user's cache directory; when it cannot be
read or written, every run simply tries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import NamedTuple

RETRY_AFTER = dt.timedelta(hours=1)


class Failure(NamedTuple):
    when: dt.datetime
    reason: str

    @property
    def retry_at(self) -> dt.datetime:
        return self.when + RETRY_AFTER


def memo_path() -> Path:
    """``$XDG_CACHE_HOME/<package>/tiktoken-failures.json``, else under ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, __package__.partition(".")[0], "tiktoken-failures.json")


def recent_failure(encoding: str, now: dt.datetime | None = None) -> Failure | None:
    """The last failed download of ``encoding``, if it was less than RETRY_AFTER ago."""
    entry = _read().get(encoding)
    now = now or dt.datetime.now(dt.UTC)
    try:
        failure = Failure(dt.datetime.fromisoformat(entry["when"]), str(entry["reason"]))
        recent = failure.when <= now < failure.retry_at
    except (TypeError, KeyError, ValueError):  # no entry, or one edited by hand
        return None
    return failure if recent else None


def record_failure(encoding: str, reason: str, now: dt.datetime | None = None) -> None:
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    _write({**_read(), encoding: {"when": when, "reason": reason}})


def forget_failure(encoding: str) -> None:
    entries = _read()
    if entries.pop(encoding, None) is not None:
        _write(entries)


def _read() -> dict:
    try:
        entries = json.loads(memo_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write(entries: dict) -> None:
    path = memo_path()
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(entries, indent=2), "utf-8")
        os.replace(temporary, path)  # readers see the old file or the new one, whole
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
