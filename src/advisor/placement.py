"""Put a rendered project into the target folder without losing anything the user had.

:func:`plan_writes` compares the staged files with the target and decides, per file,
``create``, ``overwrite``, ``skip`` (``--skip-existing`` keeps the user's file) or
``identical`` (already there, byte for byte). Without a policy an existing file that
would change stops everything before a byte is written. Writes stay inside the target:
a symbolic link in the way that points outside it is refused.

:func:`commit` writes with a journal: every file lands under a temporary name next to its
destination and is renamed into place; an overwritten file is first renamed aside. Any
failure, ``KeyboardInterrupt`` included, undoes what was done, so the target ends up
exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from .errors import InputError, ScaffoldError
from .render import RenderedFile

Action = Literal["create", "overwrite", "skip", "identical"]
Policy = Literal["refuse", "force", "skip-existing"]


@dataclass(frozen=True)
class Step:
    """What happens to one file of the project."""

    path: PurePosixPath
    action: Action
    staged: Path


def plan_writes(
    target: Path, files: Mapping[PurePosixPath, RenderedFile], policy: Policy
) -> list[Step]:
    """One :class:`Step` per file, sorted by path; raises if the target is in the way."""
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder")
    root = _real_root(target)
    steps: list[Step] = []
    for path in sorted(files):
        destination = _confined(target, root, path)
        action = _action(destination, files[path].staged, path, policy)
        steps.append(Step(path, action, files[path].staged))
    existing = [s.path for s in steps if s.action == "overwrite"]
    if existing and policy == "refuse":
        raise ScaffoldError(
            f"{len(existing)} existing file(s) in {target} would be overwritten: "
            f"{', '.join(map(str, existing))}. Nothing was written; re-run with --force to "
            "overwrite them or --skip-existing to keep yours."
        )
    return steps


def _real_root(target: Path) -> Path:
    """The resolved target, or (when it does not exist yet) where it will be created."""
    missing: list[str] = []
    probe = target.absolute()
    while not probe.exists() and probe != probe.parent:
        missing.append(probe.name)
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{target}: {probe} is not a folder")
    return probe.resolve().joinpath(*reversed(missing))


def _confined(target: Path, root: Path, path: PurePosixPath) -> Path:
    """``target/path``, after checking no existing link on the way leads outside ``root``."""
    current = target
    for index, part in enumerate(path.parts):
        current = current / part
        last = index == len(path.parts) - 1
        if current.is_symlink():
            real = current.resolve()
            if not real.is_relative_to(root):
                raise InputError(
                    f"{current}: is a symbolic link to {real}, outside {target}; "
                    "the scaffold never writes through it"
                )
        if not current.exists():
            continue
        if not last and not current.is_dir():
            raise ScaffoldError(f"{current}: is a file; the project needs a folder there")
        if last and current.is_dir():
            raise ScaffoldError(f"{current}: is a folder; the project needs a file there")
        if last and not stat.S_ISREG(current.stat().st_mode):
            raise ScaffoldError(f"{current}: is not a regular file; the scaffold leaves it alone")
    return current


def _action(destination: Path, staged: Path, path: PurePosixPath, policy: Policy) -> Action:
    if not destination.exists():
        return "create"
    try:
        same = destination.stat().st_size == staged.stat().st_size and (
            destination.read_bytes() == staged.read_bytes()
        )
    except OSError as exc:
        raise ScaffoldError(f"{destination}: cannot read it to compare: {exc.strerror}") from None
    if same:
        return "identical"
    return "skip" if policy == "skip-existing" else "overwrite"


@dataclass
class _Journal:
    """What :func:`commit` did so far, in order, so it can be undone."""

    folders: list[Path] = field(default_factory=list)
    temporaries: list[Path] = field(default_factory=list)
    moved_aside: list[tuple[Path, Path]] = field(default_factory=list)
    placed: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        # Entries are recorded just before the operation they describe, so each undo
        # step checks whether its operation happened.
        for path in reversed(self.placed):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for original, aside in reversed(self.moved_aside):
            if not original.exists():
                os.replace(aside, original)
        for path in self.temporaries:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def forget_backups(self) -> None:
        for _, aside in self.moved_aside:
            with contextlib.suppress(FileNotFoundError):
                aside.unlink()


def commit(target: Path, steps: Sequence[Step]) -> None:
    """Write the ``create`` and ``overwrite`` steps into ``target``, all or nothing."""
    journal = _Journal()
    step = None
    try:
        for step in steps:
            if step.action in ("create", "overwrite"):
                _write(target.joinpath(*step.path.parts), step, journal)
    except OSError as exc:
        journal.undo()
        raise ScaffoldError(
            f"cannot write {step.path if step else target}: {exc.strerror or exc}; "
            f"{target} is left as it was"
        ) from None
    except BaseException:
        journal.undo()
        raise
    journal.forget_backups()


def _write(destination: Path, step: Step, journal: _Journal) -> None:
    _make_folders(destination.parent, journal)
    incoming = _temporary_beside(destination, ".advisor-new", journal)
    shutil.copyfile(step.staged, incoming)
    shutil.copymode(step.staged, incoming)
    if step.action == "overwrite":
        aside = _temporary_beside(destination, ".advisor-old", journal)
        journal.moved_aside.append((destination, aside))
        os.replace(destination, aside)
    journal.placed.append(destination)
    os.replace(incoming, destination)


def _make_folders(folder: Path, journal: _Journal) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        journal.folders.append(path)
        path.mkdir()


def _temporary_beside(destination: Path, suffix: str, journal: _Journal) -> Path:
    """An empty, uniquely named file in ``destination``'s folder (same file system)."""
    handle, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=suffix, dir=destination.parent
    )
    journal.temporaries.append(Path(name))
    os.close(handle)
    return Path(name)
