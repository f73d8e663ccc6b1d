"""Render template directories into a staging folder, never into the target.

Every source (the skeleton, each backend and its ``include`` parts, a team's
``--templates`` dir) has a ``files/`` tree: each path component is a Jinja template
(``src/{{ package }}``; a component that renders empty leaves the file out), each text
file's content is a Jinja template, binary files are copied as they are. Rendered paths
are confined to the project: ``..``, absolute paths, separators smuggled in through a
variable and anything under ``.git`` (in any case, at any depth, ``.git.`` and ``.git ``
included: Windows and macOS file systems read those as ``.git``) are refused. Two
sources writing one path must agree byte for byte; otherwise the error names both.

A sandboxed source (a ``--templates`` dir) is untrusted input: it may hold no symbolic
link and nothing but folders and regular files, everything it reads is opened without
following links (:class:`~advisor.templating.ConfinedLoader`), and what it makes is
bounded (:class:`Limits`): bytes per file, bytes in all, seconds of rendering.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from types import FrameType, TracebackType
from typing import Any, ClassVar

import click
import jinja2
import jinja2.sandbox

from ..errors import InputError, ScaffoldError
from ..links import refusal
from ..templating import read_confined, starter_environment

# Bytes read to tell a binary file from a text template.
_SNIFF_BYTES = 8192
_DRIVE = re.compile(r"^[A-Za-z]:")
_MB = 1024 * 1024


class LimitExceeded(Exception):
    """A sandboxed template went past one of its :class:`Limits`."""


@dataclass(frozen=True)
class Limits:
    """What an untrusted template dir may make: bytes per file, bytes in all, seconds.

    Jinja's sandbox already caps ``range()`` at 100,000 items; the time limit is what
    stops loops nested inside each other, and the byte limits stop ``{{ 'x' * 10**9 }}``
    before it is built (``*`` and ``**`` are checked) or written. A team that trusts its
    templates raises them with ``ADVISOR_TEMPLATE_MAX_FILE_MB``,
    ``ADVISOR_TEMPLATE_MAX_TOTAL_MB`` and ``ADVISOR_TEMPLATE_TIMEOUT_S``.
    """

    file_bytes: int = 10 * _MB
    total_bytes: int = 100 * _MB
    seconds: float = 60.0

    ENVIRONMENT: ClassVar[dict[str, str]] = {
        "ADVISOR_TEMPLATE_MAX_FILE_MB": "file_bytes",
        "ADVISOR_TEMPLATE_MAX_TOTAL_MB": "total_bytes",
        "ADVISOR_TEMPLATE_TIMEOUT_S": "seconds",
    }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with any of the ``ADVISOR_TEMPLATE_*`` variables applied."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, attribute in cls.ENVIRONMENT.items():
            raw = environ.get(name)
            if raw is None or raw == "":
                continue
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not (math.isfinite(number) and 0 < number <= 1_000_000):
                raise InputError(
                    f"${name}: {raw!r} is not allowed (a number above 0, at most 1000000)"
                )
            values[attribute] = number if attribute == "seconds" else int(number * _MB)
        return cls(**values)


@dataclass
class _Budget:
    """What a sandboxed source has used of its :class:`Limits` so far."""

    limits: Limits
    bytes: int = 0
    seconds: float = 0.0


class _BoundedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, with ``*`` and ``**`` refused when their result would be too big."""

    intercepted_binops = frozenset({"*", "**"})
    max_result_bytes = 10 * _MB

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, (str, bytes, list, tuple))]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > self.max_result_bytes:
                raise LimitExceeded(
                    f"a repetition of {sizes[0] * counts[0]:,} items is larger than the limit "
                    f"of {self.max_result_bytes:,} bytes per file"
                )
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            bits = right * math.log2(abs(left)) if abs(left) > 1 and right > 0 else 0
            if bits > self.max_result_bytes * 8:
                raise LimitExceeded(f"{left} ** {right} is a number too large to write")
        return super().call_binop(context, operator, left, right)


@dataclass
class Source:
    """One template directory and the variables its templates see.

    ``sandboxed`` sources (a ``--templates`` dir given by path) render in Jinja's sandbox,
    and their errors are the user's input errors (exit 2) rather than a plugin's bug.
    """

    label: str
    template_dir: Path
    context: Mapping[str, Any]
    sandboxed: bool = False
    limits: Limits | None = None
    _strings: dict[str, jinja2.Template] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def budget(self) -> _Budget | None:
        """A sandboxed source's limits and what it has used of them (None: trusted)."""
        if not self.sandboxed:
            return None
        return _Budget(self.limits or Limits.from_environ())

    @cached_property
    def env(self) -> jinja2.Environment:
        if self.budget is None:
            return starter_environment(self.template_dir, sandboxed=False)
        limits = self.budget.limits
        refuse_unsafe_entries(self)
        env = starter_environment(
            self.template_dir,
            sandboxed=True,
            max_template_bytes=limits.file_bytes,
            sandbox_class=_BoundedSandbox,
        )
        env.max_result_bytes = limits.file_bytes
        return env

    def error(self, message: str) -> click.ClickException:
        cls = InputError if self.sandboxed else ScaffoldError
        return cls(f"{self.label}: {message}")

    def render_string(self, text: str, what: str) -> str:
        """Render a short template (a path component, a next step) with this context."""
        if "{" not in text:  # every Jinja delimiter starts with "{": nothing to render
            return text
        return self._guard(
            lambda: self._bounded(lambda: self._string_template(text).render(self.context)),
            what,
            None,
        )

    def render_template(self, name: str) -> str:
        """Render the template at ``name`` (relative to the template dir, ``/``-separated)."""
        return self._guard(
            lambda: self._bounded(lambda: self._render_file(name)),
            name,
            os.path.join(self._folder(), *name.split("/")),
        )

    def _folder(self) -> str:
        """The template dir as the loader names its files (resolved when sandboxed)."""
        folder = os.path.realpath(self.template_dir) if self.sandboxed else self.template_dir
        return os.path.normpath(folder)

    def read_bytes(self, name: str) -> bytes:
        """The bytes of a file of this source; a sandboxed one's read without links, bounded."""
        if self.budget is None:
            return (self.template_dir / name).read_bytes()
        return read_confined(Path(self._folder()), name.split("/"), self.budget.limits.file_bytes)

    def _render_file(self, name: str) -> str:
        template = self.env.get_template(name)
        if self.budget is None:
            return template.render(self.context)
        # Streamed, so a runaway template stops at the limit instead of filling memory.
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(self.context):
            size += len(chunk)
            if size > self.budget.limits.file_bytes:
                raise LimitExceeded(
                    f"the output is larger than the limit of {self.budget.limits.file_bytes:,} "
                    "bytes per file (ADVISOR_TEMPLATE_MAX_FILE_MB)"
                )
            chunks.append(chunk)
        text = "".join(chunks)
        self.count_output(len(text.encode("utf-8")))
        return text

    def count_output(self, size: int) -> None:
        """Add ``size`` bytes made to a sandboxed source's total; stop past its limit."""
        if self.budget is None:
            return
        self.budget.bytes += size
        if self.budget.bytes > self.budget.limits.total_bytes:
            raise LimitExceeded(
                f"the files made are larger than the limit of {self.budget.limits.total_bytes:,} "
                "bytes in all (ADVISOR_TEMPLATE_MAX_TOTAL_MB)"
            )

    def _bounded(self, render: Callable[[], str]) -> str:
        """``render()``, stopped when the source's rendering time is used up."""
        if self.budget is None:
            return render()
        left = self.budget.limits.seconds - self.budget.seconds
        start = time.monotonic()
        try:
            with _deadline(left):
                return render()
        finally:
            self.budget.seconds += time.monotonic() - start

    def _string_template(self, text: str) -> jinja2.Template:
        """``text`` compiled once per source: one component (``{{ package }}``) names many
        paths, and compiling is most of what rendering a short template costs."""
        template = self._strings.get(text)
        if template is None:
            template = self._strings[text] = self.env.from_string(text)
        return template

    def _guard(self, render: Callable[[], str], what: str, filename: str | None) -> str:
        try:
            return render()
        except LimitExceeded as exc:
            raise self.error(f"{what}: {exc}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise self.error(f"{what} line {exc.lineno}: {exc.message}") from None
        except Exception as exc:
            line = _template_line(exc.__traceback__, filename)
            where = f"{what} line {line}" if line else what
            detail = exc.message if isinstance(exc, jinja2.TemplateError) else exc
            raise self.error(f"{where}: {type(exc).__name__}: {detail}") from None


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`LimitExceeded` in the block once ``seconds`` have passed.

    A timer signal interrupts pure-Python loops (compiled templates are Python); where
    none can be set (not the main thread, no ``SIGALRM`` on Windows) the block runs
    unbounded in time but still bounded in size.
    """
    if seconds <= 0:
        raise LimitExceeded("rendering took longer than the limit (ADVISOR_TEMPLATE_TIMEOUT_S)")
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise LimitExceeded(
            f"rendering took longer than the limit of {seconds:g} s (ADVISOR_TEMPLATE_TIMEOUT_S)"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refuse_unsafe_entries(source: Source) -> None:
    """Refuse a sandboxed template dir holding a link or anything but folders and files.

    A link (to ``/proc/self/environ``, ``./advisor.toml``, a whole folder) could put a
    file from outside into the project or an ``{% include %}``; a FIFO or device would
    hang the render. The loader refuses them again when it reads; this says so up front
    for the whole folder, and names the first one.
    """
    root = source.template_dir
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for entry in sorted([*dirs, *files]):
            path = Path(folder, entry)
            info = path.lstat()
            where = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                raise source.error(
                    f"{where} is a symbolic link; a --templates dir may hold no links "
                    "(copy the file in instead)"
                )
            if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
                raise source.error(f"{where} is not a regular file or folder")


@dataclass(frozen=True)
class RenderedFile:
    """A file rendered into staging: where it goes, where it is now, who made it."""

    path: PurePosixPath
    staged: Path
    source: str


def render_fragment(source: Source, name: str) -> str | None:
    """A source's optional fragment (``readme.md``), rendered; None when it has none."""
    path = source.template_dir / name
    if not (path.is_file() or (source.sandboxed and path.is_symlink())):
        return None
    return source.render_template(name)


def render_sources(sources: Sequence[Source], staging: Path) -> dict[PurePosixPath, RenderedFile]:
    """Render every source's ``files/`` into ``staging``; return the files by project path."""
    rendered: dict[PurePosixPath, RenderedFile] = {}
    folded: dict[str, PurePosixPath] = {}
    for source in sources:
        for template_name in _template_files(source):
            relative = render_path(source, template_name)
            if relative is None:
                continue
            content = _render_content(source, template_name)
            _place(rendered, folded, relative, content, source, staging, template_name)
    return rendered


def _place(
    rendered: dict[PurePosixPath, RenderedFile],
    folded: dict[str, PurePosixPath],
    relative: PurePosixPath,
    content: bytes,
    source: Source,
    staging: Path,
    template_name: str,
) -> None:
    earlier = rendered.get(relative)
    if earlier is not None:
        if earlier.staged.read_bytes() != content:
            raise ScaffoldError(
                f"{relative}: {earlier.source} and {source.label} both write it, differently; "
                "shared files are composed by the skeleton (see docs/scaffold.md)"
            )
        return
    # Two names differing only in case are one file on macOS and Windows.
    clash = folded.setdefault(str(relative).casefold(), relative)
    if clash != relative:
        raise ScaffoldError(f"{relative} and {clash}: names differ only in case")
    for parent in relative.parents:
        if parent in rendered:
            raise ScaffoldError(f"{parent}: both a file and a folder in the project")
    staged = staging.joinpath(*relative.parts)
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(content)
        if os.access(source.template_dir / template_name, os.X_OK):
            staged.chmod(staged.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except (IsADirectoryError, NotADirectoryError, FileExistsError):
        raise ScaffoldError(f"{relative}: both a file and a folder in the project") from None
    except OSError as exc:
        raise ScaffoldError(f"cannot write the staging copy of {relative}: {exc}") from None
    rendered[relative] = RenderedFile(relative, staged, source.label)


def _template_files(source: Source) -> Iterable[str]:
    """Names (``files/...``, ``/``-separated, sorted) of every file under ``files/``."""
    if source.sandboxed:
        source.env  # noqa: B018  (creating it checks the folder: no links, no FIFOs)
    root = source.template_dir / "files"
    if not root.is_dir():
        return []
    names: list[str] = []
    for folder, dirs, files in os.walk(root):
        # pip byte-compiles installed template .py files; their caches are not templates.
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        here = Path(folder)
        for entry in dirs:
            if (here / entry).is_symlink():  # every source, a plugin's too (advisor.links)
                link = (here / entry).relative_to(source.template_dir).as_posix()
                raise source.error(refusal(link))
        for name in files:
            if name.endswith((".pyc", ".pyo")):
                continue
            where = (here / name).relative_to(source.template_dir).as_posix()
            if (here / name).is_symlink():
                raise source.error(refusal(where))
            # A FIFO would block the read forever; a device or socket is no template.
            if not stat.S_ISREG((here / name).stat().st_mode):
                raise source.error(f"{where} is not a regular file")
            names.append(where)
    return sorted(names)


def render_path(source: Source, template_name: str) -> PurePosixPath | None:
    """The project path a template file renders to; None if a component renders empty."""
    parts: list[str] = []
    for component in template_name.split("/")[1:]:
        name = source.render_string(component, f"the name {template_name!r}")
        if not name:
            return None
        if name in (".", "..") or any(c in name for c in "/\\\0") or _DRIVE.match(name):
            raise source.error(
                f"{template_name} renders to the name {name!r}, which would leave the project "
                "folder (no '..', separators or absolute paths)"
            )
        if is_git_name(name):
            raise source.error(
                f"{template_name} renders into {name!r}, which is .git to some file systems; "
                "the scaffold never writes into .git"
            )
        parts.append(name)
    return PurePosixPath(*parts)


def is_git_name(name: str) -> bool:
    """Whether a path component names a ``.git`` folder on some file system.

    Case-insensitive file systems (macOS, Windows) read ``.GIT`` as ``.git``; Windows
    drops trailing dots and spaces (``.git.``, ``.git ``) and answers to the 8.3 short
    name ``GIT~1``.
    """
    folded = name.rstrip(". ").casefold()
    return folded in (".git", "git~1")


def _render_content(source: Source, template_name: str) -> bytes:
    path = source.template_dir / template_name
    try:
        if source.sandboxed:
            data = source.read_bytes(template_name)
            if _is_binary(data[:_SNIFF_BYTES]):
                source.count_output(len(data))
                return data
            return source.render_template(template_name).encode("utf-8")
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        if _is_binary(head):
            return path.read_bytes()
    except LimitExceeded as exc:
        raise source.error(f"{template_name}: {exc}") from None
    except OSError as exc:
        raise source.error(f"cannot read {template_name}: {exc.strerror or exc}") from None
    return source.render_template(template_name).encode("utf-8")


def _is_binary(head: bytes) -> bool:
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a full sniff is still text.
        return len(head) < _SNIFF_BYTES or exc.start < len(head) - 3
    return False


def _template_line(tb: TracebackType | None, filename: str | None) -> int | None:
    """The template line an exception was raised at (Jinja rewrites its frames to point there)."""
    line = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name == filename or (filename is None and name == "<template>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def check_no_secrets(files: Iterable[RenderedFile], secrets: Mapping[str, str]) -> None:
    """Refuse output holding the value of a secret (``OPENAI_API_KEY``), or that value reversed.

    ``secrets`` maps names (a variable, a setting) to their current values; the message
    names the secret, never the value. Only the plain and the reversed value are looked
    for: this catches a slip, not a template set on hiding a key (which is why untrusted
    templates cannot read one at all).
    """
    needles = [
        (name, needle)
        for name, value in secrets.items()
        if len(value) >= 8
        for needle in {value.encode(), value[::-1].encode()}
    ]
    if not needles:
        return
    for rendered in files:
        content = rendered.staged.read_bytes()
        for name, needle in needles:
            if needle in content:
                shown = name if name.startswith("setting ") else f"${name}"
                raise ScaffoldError(
                    f"{rendered.path} ({rendered.source}) would contain the value of {shown}; "
                    "secrets never go into generated files"
                )
