"""Put a rendered project into the target folder without losing anything the user had.

:func:`plan_writes` compares the staged files with the target and decides, per file,
``create``, ``overwrite``, ``skip`` (``--skip-existing`` keeps the user's file) or
``identical`` (already there, byte for byte). Without a policy an existing file that
would change stops everything before a byte is written. Writes stay inside the target:
a symbolic link in the way that points outside it is refused.

:func:`commit` writes with a journal: every file lands under a temporary name next to its
destination and is linked into place; an overwritten file is first renamed aside. Any
failure, ``KeyboardInterrupt``, ``SIGTERM`` and ``SIGHUP`` included, undoes what was
done, with those signals held off until the undo is over, so the target ends up exactly
as it was.

The plan is checked again as it is carried out, because the target can change in
between: every folder is opened relative to the one above it without following links
(a link inside the target is read and followed by hand, only when it stays inside), a
file planned as new is put in place with a hard link, which fails rather than replace
a file that appeared meanwhile, and :func:`target_lock` keeps a second advisor out of
the target for the whole plan-and-write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Literal

from .. import i18n
from ..errors import InputError, ScaffoldError
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
        message = i18n.ngettext(
            "{count} existing file in {target} would be overwritten: {paths}. Nothing was "
            "written; re-run with --force to overwrite it or --skip-existing to keep yours.",
            "{count} existing files in {target} would be overwritten: {paths}. Nothing was "
            "written; re-run with --force to overwrite them or --skip-existing to keep yours.",
            len(existing),
        )
        paths = ", ".join(map(str, existing))
        raise ScaffoldError(message.format(count=len(existing), target=target, paths=paths))
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


# Signals that end a run as Ctrl-C does; the undo holds them off until it is done.
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_LINK_DEPTH = 8


class Interrupted(KeyboardInterrupt):
    """``SIGTERM`` or ``SIGHUP`` arrived: stop and clean up exactly as Ctrl-C does."""


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """Within the block, ``SIGTERM`` and ``SIGHUP`` raise :class:`Interrupted`.

    Their default action kills the process on the spot: no undo, a half-written tree, the
    staging folder left in /tmp. As exceptions they unwind like Ctrl-C, through every
    ``finally``. Only the main thread can set handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)

    previous = {}
    for signum in _STOP_SIGNALS:
        if signum != signal.SIGINT:
            previous[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold off Ctrl-C, ``SIGTERM`` and ``SIGHUP`` in the block; they arrive after it.

    Their handlers are swapped for one that only notes the signal (a signal already
    caught but not yet handled runs whatever handler is current, so this catches it too);
    afterwards the real handlers are put back and each noted signal is raised again.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    previous = {signum: signal.signal(signum, note) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)


@contextlib.contextmanager
def target_lock(target: Path) -> Iterator[None]:
    """An exclusive lock on ``target`` (created if missing) while the block runs.

    Two scaffolds into one folder would each plan against the other's half-written tree
    and leave a mix of both; the second is refused instead, before it writes anything.
    A target the lock had to create is removed again if it is still empty at the end.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks through fcntl
        yield
        return
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder")
    created = _create_folders(target)
    try:
        handle = os.open(target, os.O_RDONLY | _DIRECTORY)
    except OSError as exc:
        _remove_empty(created)
        raise InputError(f"{target}: cannot open: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScaffoldError(
                i18n.gettext(
                    "{target}: another advisor is writing into it right now; nothing was "
                    "written. Run again when it has finished."
                ).format(target=target)
            ) from None
        yield
    finally:
        os.close(handle)
        _remove_empty(created)


def _create_folders(target: Path) -> list[Path]:
    """Make ``target`` and any missing folders above it; return those made, outermost first."""
    missing: list[Path] = []
    probe = target.absolute()
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            made.append(folder)
    except OSError as exc:
        _remove_empty(made)
        raise InputError(f"{target}: cannot create it: {exc.strerror or exc}") from None
    return made


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


@dataclass
class _Journal:
    """What :func:`commit` did so far, in order, so it can be undone.

    Entries name a folder (an open descriptor) and a name in it. A placed file is
    recorded with the inode it was linked from, and undone only if that is still what
    the name holds: an entry recorded just before a link that then failed removes
    nothing.
    """

    folders: list[tuple[int, str]] = field(default_factory=list)
    temporaries: list[tuple[int, str]] = field(default_factory=list)
    moved_aside: list[tuple[int, str, str]] = field(default_factory=list)
    placed: list[tuple[int, str, int]] = field(default_factory=list)

    def undo(self) -> None:
        with _signals_held():
            for folder, name, inode in reversed(self.placed):
                if _inode(folder, name) == inode:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=folder)
            for folder, original, aside in reversed(self.moved_aside):
                if _inode(folder, original) is None and _inode(folder, aside) is not None:
                    os.replace(aside, original, src_dir_fd=folder, dst_dir_fd=folder)
            for folder, name in self.temporaries:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=folder)
            for folder, name in reversed(self.folders):
                with contextlib.suppress(OSError):
                    os.rmdir(name, dir_fd=folder)

    def forget_backups(self) -> None:
        for folder, _, aside in self.moved_aside:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(aside, dir_fd=folder)


def _inode(folder: int, name: str) -> int | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_ino
    except FileNotFoundError:
        return None


class _Folders:
    """The target's folders, opened without following links and kept open for the commit."""

    def __init__(self, target: Path, journal: _Journal) -> None:
        self.target = target
        self.root = Path(os.path.realpath(target))
        self.journal = journal
        self.open: dict[tuple[str, ...], int] = {(): os.open(target, os.O_RDONLY | _DIRECTORY)}

    def get(self, parts: tuple[str, ...], *, create: bool, depth: int = 0) -> int:
        """The descriptor of the folder at ``parts``, made (and journaled) when missing."""
        found = self.open.get(parts)
        if found is not None:
            return found
        parent = self.get(parts[:-1], create=create, depth=depth)
        name = parts[-1]
        flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
        try:
            handle = os.open(name, flags, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
            self.journal.folders.append((parent, name))
            os.mkdir(name, dir_fd=parent)
            handle = os.open(name, flags, dir_fd=parent)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise
            handle = self._through_link(parts, parent, depth)
        self.open[parts] = handle
        return handle

    def _through_link(self, parts: tuple[str, ...], parent: int, depth: int) -> int:
        """Follow a link inside the target by hand, if it leads to a folder inside it."""
        where = self.target.joinpath(*parts)
        info = os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
        if not stat.S_ISLNK(info.st_mode):
            raise ScaffoldError(f"{where}: is a file; the project needs a folder there")
        link = os.readlink(parts[-1], dir_fd=parent)
        pointed = Path(os.path.normpath(self.root.joinpath(*parts[:-1], link)))
        if depth >= _LINK_DEPTH or not pointed.is_relative_to(self.root):
            raise InputError(
                f"{where}: is a symbolic link to {link}, outside {self.target}; "
                "the scaffold never writes through it"
            )
        inside = pointed.relative_to(self.root).parts
        return os.dup(self.get(inside, create=False, depth=depth + 1))

    def close(self) -> None:
        for handle in set(self.open.values()):
            with contextlib.suppress(OSError):
                os.close(handle)


def commit(target: Path, steps: Sequence[Step]) -> None:
    """Write the ``create`` and ``overwrite`` steps into ``target``, all or nothing."""
    if not any(step.action in ("create", "overwrite") for step in steps):
        return
    created = _create_folders(target)
    journal = _Journal()
    try:
        folders = _Folders(target, journal)
    except OSError as exc:
        _remove_empty(created)
        raise ScaffoldError(f"cannot open {target}: {exc.strerror or exc}") from None
    step = None
    try:
        for step in steps:
            if step.action in ("create", "overwrite"):
                _write(folders, step, journal)
    except OSError as exc:
        _undo(journal, folders, created)
        raise ScaffoldError(
            f"cannot write {step.path if step else target}: {exc.strerror or exc}; "
            f"{target} is left as it was"
        ) from None
    except BaseException:
        _undo(journal, folders, created)
        raise
    journal.forget_backups()
    folders.close()


def _undo(journal: _Journal, folders: _Folders, created: list[Path]) -> None:
    with _signals_held():
        journal.undo()
        folders.close()
        _remove_empty(created)


def _write(folders: _Folders, step: Step, journal: _Journal) -> None:
    parts = step.path.parts
    folder = folders.get(parts[:-1], create=True)
    name = parts[-1]
    incoming = _temporary_beside(folder, name, ".advisor-new", journal)
    _copy_into(step.staged, folder, incoming)
    current = _kind(folder, name)
    if step.action == "create" and current is not None:
        raise ScaffoldError(
            f"{step.path}: appeared in {folders.target} after the plan was made; nothing was "
            "written. Run again to see it in the plan."
        )
    if step.action == "overwrite":
        if current is None or not stat.S_ISREG(current):
            raise ScaffoldError(
                f"{step.path}: changed in {folders.target} after the plan was made (it is "
                "no longer a regular file); nothing was written"
            )
        aside = _temporary_beside(folder, name, ".advisor-old", journal)
        journal.moved_aside.append((folder, name, aside))
        os.replace(name, aside, src_dir_fd=folder, dst_dir_fd=folder)
    inode = os.stat(incoming, dir_fd=folder, follow_symlinks=False).st_ino
    journal.placed.append((folder, name, inode))
    _link_no_replace(folder, incoming, name, step.path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(incoming, dir_fd=folder)


def _kind(folder: int, name: str) -> int | None:
    """The file type bits of ``name`` (not following a link), None when it is not there."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return None


def _link_no_replace(folder: int, source: str, name: str, path: PurePosixPath) -> None:
    """Give ``source`` the name ``name``, failing if ``name`` exists (a hard link does)."""
    try:
        os.link(source, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except FileExistsError:
        raise ScaffoldError(
            f"{path}: appeared after the plan was made; nothing was written. Run again."
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV):
            raise
        # No hard links on this file system: check, then rename (a narrow window remains).
        if _kind(folder, name) is not None:
            raise ScaffoldError(
                f"{path}: appeared after the plan was made; nothing was written. Run again."
            ) from None
        os.replace(source, name, src_dir_fd=folder, dst_dir_fd=folder)


def _copy_into(staged: Path, folder: int, name: str) -> None:
    """Copy the staged file's bytes and permission bits into ``folder/name`` (already made)."""
    mode = stat.S_IMODE(staged.stat().st_mode)
    handle = os.open(name, os.O_WRONLY | os.O_TRUNC | _NOFOLLOW, dir_fd=folder)
    with os.fdopen(handle, "wb") as out, staged.open("rb") as source:
        while chunk := source.read(1 << 20):
            out.write(chunk)
        os.fchmod(out.fileno(), mode)


def _temporary_beside(folder: int, name: str, suffix: str, journal: _Journal) -> str:
    """An empty, uniquely named file in ``folder`` (same file system), made exclusively."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    for _ in range(100):
        candidate = f".{name}.{secrets.token_hex(4)}{suffix}"
        journal.temporaries.append((folder, candidate))
        try:
            os.close(os.open(candidate, flags, 0o600, dir_fd=folder))
        except FileExistsError:
            journal.temporaries.pop()
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary name", name)


def write_file(path: Path, data: bytes, *, through_links: bool = False, option: str = "") -> None:
    """Replace the file at ``path`` with ``data`` all at once (``advisor decide -o``).

    The bytes go to a temporary file beside it, which then takes its name: a full disk
    or Ctrl-C leaves the previous file whole. A symbolic link at ``path`` is refused
    unless ``through_links`` (:func:`output_destination`); a device or pipe
    (``/dev/stdout``, a FIFO) is written to directly.
    """
    where = f"{option} {path}".strip()
    if _is_stream(path):
        try:
            with path.open("wb") as out:
                out.write(data)
        except OSError as exc:
            raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None
        return
    path = output_destination(path, through_links=through_links, option=option)
    try:
        handle, temporary = tempfile_in(path.parent, path.name)
    except OSError as exc:
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            os.fchmod(out.fileno(), _mode_for(path))
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise InputError(
                f"{where}: cannot write: {exc.strerror or exc}; the previous file is unchanged"
            ) from None
        raise


def output_destination(path: Path, *, through_links: bool = False, option: str = "") -> Path:
    """The file an output at ``path`` will replace; a symbolic link only with ``through_links``.

    Writing through a link changes a file elsewhere (a planted ``record.md ->
    ~/.bashrc``), so without ``--force`` it is refused before anything is written.
    """
    if _is_stream(path) or not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    if not through_links:
        where = f"{option} {path}".strip()
        raise InputError(f"{where}: is a symbolic link to {real}; pass --force to write through it")
    return real


def _is_stream(path: Path) -> bool:
    """Whether ``path`` is (or links to) a device, pipe or socket: written, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _mode_for(path: Path) -> int:
    """The existing file's permission bits, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def tempfile_in(folder: Path, name: str) -> tuple[int, Path]:
    """A new, exclusively created, private temporary file in ``folder`` for ``name``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    for _ in range(100):
        candidate = folder / f".{name}.{secrets.token_hex(4)}.advisor-new"
        try:
            return os.open(candidate, flags, 0o600), candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder / name))
