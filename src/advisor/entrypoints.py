"""Find the ``advisor`` entry points without paying for ``importlib.metadata`` every run.

Importing ``importlib.metadata`` (it pulls in ``email``, ``zipfile``, ``csv``...) costs
more than the rest of ``advisor --help``. What it would find changes only when packages
are installed or removed, so the result is cached on disk under a fingerprint of every
place it reads: each ``sys.path`` folder's modification time, and the modification time
and size of every distribution's ``entry_points.txt`` there. Installing, upgrading,
removing or editing a plugin changes the fingerprint; a stale cache is never used. Any
trouble reading or writing the cache just means scanning as usual.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from .locations import cache_dir


class EntryPoint(NamedTuple):
    """One entry point of the group: what ``advisor plugins`` shows, and how to load it."""

    name: str
    value: str
    dist: str
    version: str

    def load(self) -> Any:
        """Import ``module`` of ``module:attr.path`` and return the object it names."""
        module, _, attrs = self.value.partition(":")
        obj: Any = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point in ``group`` on ``sys.path``, from the cache when it is current."""
    key = _fingerprint(group)
    cache = _cache_file()
    cached = _read(cache, key)
    if cached is not None:
        return cached
    found = _scan(group)
    _write(cache, key, found)
    return found


def _scan(group: str) -> list[EntryPoint]:
    from importlib import metadata

    found = []
    for ep in metadata.entry_points(group=group):
        dist, version = (ep.dist.name, ep.dist.version) if ep.dist else ("unknown", "")
        found.append(EntryPoint(ep.name, ep.value, dist, version))
    return found


def _fingerprint(group: str) -> str:
    """Everything the scan depends on, as one string (compared whole, never hashed)."""
    parts = [group, sys.executable]
    for entry in sys.path:
        folder = entry or os.getcwd()
        try:
            parts.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
            children = os.scandir(folder)
        except OSError:  # missing, or a zip: its own mtime (if any) covers it
            continue
        with children:
            for child in children:
                if child.name.endswith((".dist-info", ".egg-info")):
                    points = os.path.join(child.path, "entry_points.txt")
                    try:
                        stat = os.stat(points)
                    except OSError:
                        continue
                    parts.append(f"{child.name}:{stat.st_mtime_ns}:{stat.st_size}")
    return "\n".join(parts)


def _cache_file() -> Path:
    # One file per interpreter (a venv), so two venvs do not keep replacing each other's.
    python = zlib.crc32(sys.executable.encode())
    return cache_dir() / f"entry-points-{python:08x}.json"


def _read(path: Path, key: str) -> list[EntryPoint] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("key") != key:
            return None
        return [EntryPoint(*item) for item in data["entry_points"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write(path: Path, key: str, found: list[EntryPoint]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"key": key, "entry_points": found}), "utf-8")
        os.replace(partial, path)
    except OSError:
        pass
