"""Find the ``advisor`` entry points without paying for ``importlib.metadata`` every run.

Importing ``importlib.metadata`` (it pulls in ``email``, ``zipfile``, ``csv``...) costs
more than the rest of ``advisor --help``. What it would find changes only when packages
are installed or removed, so the result is cached on disk under a fingerprint of every
place it reads: each ``sys.path`` folder's modification time, and the modification time
and size of every distribution's ``entry_points.txt`` there. Installing, upgrading,
removing or editing a plugin changes the fingerprint; a stale cache is never used. Any
trouble reading or writing the cache just means scanning as usual.

The cache names modules to import, so it is trusted no more than it must be: it lives in
a private cache folder (:func:`~advisor.locations.private_cache_dir`), a cache file the
user does not own or others can write is ignored, and every cached entry must appear, as
``name = value`` under the group, in the ``entry_points.txt`` of its distribution on
``sys.path``: an entry added to the file by hand names nothing installed and voids it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .locations import owned_privately, private_cache_dir


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
    key, sources = _fingerprint(group)
    cache = _cache_file()
    cached = _read(cache, key) if cache is not None else None
    if cached is not None and _all_declared(cached, group, sources):
        return cached
    found = _scan(group)
    if cache is not None:
        _write(cache, key, found)
    return found


def _scan(group: str) -> list[EntryPoint]:
    from importlib import metadata

    found = []
    for ep in metadata.entry_points(group=group):
        dist, version = (ep.dist.name, ep.dist.version) if ep.dist else ("unknown", "")
        found.append(EntryPoint(ep.name, ep.value, dist, version))
    return found


def _fingerprint(group: str) -> tuple[str, list[str]]:
    """Everything the scan depends on, as one string (compared whole, never hashed), and
    the ``entry_points.txt`` files it found."""
    parts = [group, sys.executable]
    sources: list[str] = []
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
                    sources.append(points)
    return "\n".join(parts), sources


def _normal(name: str) -> str:
    """A distribution name as its ``.dist-info`` folder spells it (PEP 503, then ``_``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _all_declared(cached: list[EntryPoint], group: str, sources: Iterable[str]) -> bool:
    """Whether every cached entry is declared by its distribution's ``entry_points.txt``."""
    by_dist: dict[str, list[str]] = {}
    for source in sources:
        folder = os.path.basename(os.path.dirname(source)).rsplit(".", 1)[0]
        by_dist.setdefault(_normal(folder.split("-", 1)[0]), []).append(source)
    declared: dict[str, set[tuple[str, str]]] = {}
    for ep in cached:
        found = False
        for source in by_dist.get(_normal(ep.dist), []):
            if source not in declared:
                declared[source] = _declared(source, group)
            found = found or (ep.name, ep.value) in declared[source]
        if not found:
            return False
    return True


def _declared(source: str, group: str) -> set[tuple[str, str]]:
    """The ``(name, value)`` pairs under ``[group]`` in one ``entry_points.txt``."""
    pairs: set[tuple[str, str]] = set()
    section = None
    try:
        with open(source, encoding="utf-8") as stream:
            for raw in stream:
                line = raw.strip()
                if line.startswith("[") and line.endswith("]"):
                    section = line[1:-1].strip()
                elif section == group and "=" in line and not line.startswith(("#", ";")):
                    name, _, value = line.partition("=")
                    pairs.add((name.strip(), value.strip()))
    except (OSError, UnicodeDecodeError):
        pass
    return pairs


def _cache_file() -> Path | None:
    # One file per interpreter (a venv), so two venvs do not keep replacing each other's.
    folder = private_cache_dir()
    if folder is None:
        return None
    python = zlib.crc32(sys.executable.encode())
    return folder / f"entry-points-{python:08x}.json"


def _read(path: Path, key: str) -> list[EntryPoint] | None:
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, encoding="utf-8") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or not owned_privately(info):
                return None
            data = json.loads(stream.read())
        if data.get("key") != key:
            return None
        return [EntryPoint(*map(str, item)) for item in data["entry_points"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, key: str, found: list[EntryPoint]) -> None:
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(partial, flags, 0o600), "w", encoding="utf-8") as stream:
            stream.write(json.dumps({"key": key, "entry_points": found}))
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)
