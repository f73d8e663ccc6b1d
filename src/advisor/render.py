"""Render template directories into a staging folder, never into the target.

Every source (the skeleton, each backend and its ``include`` parts, a team's
``--templates`` dir) has a ``files/`` tree: each path component is a Jinja template
(``src/{{ package }}``; a component that renders empty leaves the file out), each text
file's content is a Jinja template, binary files are copied as they are. Rendered paths
are confined to the project: ``..``, absolute paths, separators smuggled in through a
variable and anything under ``.git`` are refused. Two sources writing one path must
agree byte for byte; otherwise the error names both.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

import click
import jinja2

from .errors import InputError, ScaffoldError
from .links import refusal
from .templating import starter_environment

# Bytes read to tell a binary file from a text template.
_SNIFF_BYTES = 8192
_DRIVE = re.compile(r"^[A-Za-z]:")


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
    _strings: dict[str, jinja2.Template] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def env(self) -> jinja2.Environment:
        return starter_environment(self.template_dir, sandboxed=self.sandboxed)

    def error(self, message: str) -> click.ClickException:
        cls = InputError if self.sandboxed else ScaffoldError
        return cls(f"{self.label}: {message}")

    def render_string(self, text: str, what: str) -> str:
        """Render a short template (a path component, a next step) with this context."""
        if "{" not in text:  # every Jinja delimiter starts with "{": nothing to render
            return text
        return self._guard(lambda: self._string_template(text).render(self.context), what, None)

    def render_template(self, name: str) -> str:
        """Render the template at ``name`` (relative to the template dir, ``/``-separated)."""
        return self._guard(
            lambda: self.env.get_template(name).render(self.context),
            name,
            os.path.normpath(self.template_dir / name),
        )

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
        except jinja2.TemplateSyntaxError as exc:
            raise self.error(f"{what} line {exc.lineno}: {exc.message}") from None
        except Exception as exc:
            line = _template_line(exc.__traceback__, filename)
            where = f"{what} line {line}" if line else what
            detail = exc.message if isinstance(exc, jinja2.TemplateError) else exc
            raise self.error(f"{where}: {type(exc).__name__}: {detail}") from None


@dataclass(frozen=True)
class RenderedFile:
    """A file rendered into staging: where it goes, where it is now, who made it."""

    path: PurePosixPath
    staged: Path
    source: str


def render_fragment(source: Source, name: str) -> str | None:
    """A source's optional fragment (``readme.md``), rendered; None when it has none."""
    if not (source.template_dir / name).is_file():
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
    root = source.template_dir / "files"
    if not root.is_dir():
        return []
    names: list[str] = []
    for folder, dirs, files in os.walk(root):
        # pip byte-compiles installed template .py files; their caches are not templates.
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files = [f for f in files if not f.endswith((".pyc", ".pyo"))]
        here = Path(folder)
        for entry in [*dirs, *files]:
            if (here / entry).is_symlink():  # every source, a plugin's too (advisor.links)
                link = (here / entry).relative_to(source.template_dir).as_posix()
                raise source.error(refusal(link))
        names.extend((here / f).relative_to(source.template_dir).as_posix() for f in files)
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
        parts.append(name)
    if parts[0] == ".git":
        raise source.error(f"{template_name} renders into .git, which the scaffold never writes")
    return PurePosixPath(*parts)


def _render_content(source: Source, template_name: str) -> bytes:
    path = source.template_dir / template_name
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        if _is_binary(head):
            return path.read_bytes()
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
    """Refuse output holding the value of a secret environment variable (``OPENAI_API_KEY``).

    ``secrets`` maps variable names to their current values; the message names the
    variable, never the value.
    """
    needles = {name: value.encode() for name, value in secrets.items() if len(value) >= 8}
    if not needles:
        return
    for rendered in files:
        content = rendered.staged.read_bytes()
        for name, value in needles.items():
            if value in content:
                raise ScaffoldError(
                    f"{rendered.path} ({rendered.source}) would contain the value of ${name}; "
                    "secrets never go into generated files"
                )
