"""Jinja environments: the advisor's own report templates and the starter templates.

Jinja is imported here, not at start-up, so commands that render nothing never pay for it.

Starter templates come from two kinds of places. The skeleton and installed backend
plugins are trusted code (a plugin can run anything when it is imported anyway), so they
render in a plain :class:`jinja2.Environment`. A template directory given by path
(``advisor scaffold --templates DIR``) may come from anywhere, so it renders in Jinja's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no underscore attributes (no
``__class__.__mro__`` walk to ``os``), no calls that mutate the shared context, and
``{% include %}`` confined to that directory by :class:`ConfinedLoader`, which opens every
path component without following links, so a symbolic link cannot reach a file outside it.

Jinja's sandbox had escapes before 3.1.6 (CVE-2024-56201 and CVE-2024-56326, fixed in
3.1.5; CVE-2025-27516, fixed in 3.1.6): the sandboxed environment refuses to exist on an
older Jinja, and ``advisor doctor`` warns about one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from . import i18n
from .api import templates_path
from .errors import InputError
from .locations import owned_privately, private_cache_dir
from .messages import localize, translate

# The first Jinja release without a known sandbox escape (CVE-2025-27516).
JINJA_FLOOR = (3, 1, 6)


@cache
def report_environment(*, html: bool = False) -> jinja2.Environment:
    """Report templates are ours and trusted; undefined variables are still errors.

    The HTML report escapes every value unless marked safe (the chart is our own SVG);
    Markdown and text are not HTML, so nothing is escaped there.
    """
    from . import i18n

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_path("reports")),
        bytecode_cache=_bytecode_cache("reports-html" if html else "reports"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=html,
        extensions=["jinja2.ext.i18n"],
    )
    # Records are read in the language in use (docs/i18n.md): `_()` and {% trans %} in
    # the templates look messages up in the same catalogs as the code. The callables, not
    # one language's translations: this environment is cached, the language may change.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    return env


def jinja_version(version: str | None = None) -> tuple[int, ...]:
    """The installed Jinja's version as numbers (``3.1.6`` -> ``(3, 1, 6)``)."""
    numbers = []
    for piece in (version or jinja2.__version__).split("."):
        digits = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def require_patched_jinja() -> None:
    """Refuse to sandbox untrusted templates with a Jinja whose sandbox is known to leak."""
    if jinja_version() < JINJA_FLOOR:
        floor = ".".join(map(str, JINJA_FLOOR))
        raise InputError(
            f"jinja2 {jinja2.__version__} is installed; rendering a --templates dir needs "
            f"jinja2>={floor} (older sandboxes can be escaped: CVE-2024-56201, "
            f"CVE-2024-56326, CVE-2025-27516). Upgrade: pip install 'jinja2>={floor}'"
        )


def starter_environment(
    template_dir: Path,
    *,
    sandboxed: bool,
    max_template_bytes: int | None = None,
    sandbox_class: type[jinja2.sandbox.SandboxedEnvironment] | None = None,
) -> jinja2.Environment:
    """The environment a starter template directory renders in.

    Default delimiters, ``StrictUndefined`` (a missing variable is an error, never an empty
    string), block tags that swallow their own line (``trim_blocks``/``lstrip_blocks``, so
    ``{% if %}`` on its own line leaves no blank line in generated code), a file's final
    newline kept, and no HTML autoescaping (the output is code and Markdown, not HTML).
    """
    if sandboxed:
        require_patched_jinja()
    cls: type[jinja2.Environment] = jinja2.Environment
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(template_dir)
    if sandboxed:
        cls = sandbox_class or jinja2.sandbox.ImmutableSandboxedEnvironment
        loader = ConfinedLoader(template_dir, max_template_bytes)
    env = cls(
        loader=loader,
        # Compiling templates is most of a scaffold's time; trusted templates keep their
        # compiled code between runs (keyed by name and source checksum, so an edited
        # template recompiles). A team's --templates dir never shares the cache.
        bytecode_cache=None if sandboxed else _bytecode_cache("starters"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["toml"] = toml_string
    env.filters["py"] = python_literal
    # A decision's reasons and warnings are English sentences that know their message
    # ids (advisor.messages.Message): `{{ reason.text | localize }}` says them in the
    # language in use, as the decision record does.
    env.filters["localize"] = localize
    # Text a plugin marked with N_() (a backend's description, a setting's), looked up in
    # the catalogs: `{{ backend.description | translate }}`.
    env.filters["translate"] = translate
    install_translations(env)
    return env


def install_translations(env: jinja2.Environment) -> None:
    """Give ``env`` Jinja's i18n extension, translating into the language in use.

    Prose in a starter (its README, ``docs/decision.md``) is written in ``{% trans %}``
    blocks, so a project made with ``--lang ko`` reads in Korean while its code stays
    the same. The callables look the language up when a message is rendered, so one
    environment serves ``advisor update`` rendering a project in its recorded language;
    plugins' catalogs (the ``register_catalogs`` hook) are asked after the core's.
    ``newstyle`` gettext formats with named ``%(name)s`` placeholders only, and the
    sandbox still checks every call a template makes.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from one folder and nothing outside it.

    Every component of a name is opened relative to the folder above it with
    ``O_NOFOLLOW``: a symbolic link anywhere on the way (a linked ``files/``, a link at
    the root to ``/proc/self/environ``) is refused at the moment of reading, not only when
    the folder was listed, and only regular files are read (a FIFO would hang the render).
    """

    def __init__(self, root: Path, max_bytes: int | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self.max_bytes = max_bytes

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        try:
            data = read_confined(self.root, pieces, self.max_bytes)
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except OSError as exc:
            raise jinja2.TemplateNotFound(f"{template} ({exc.strerror or exc})") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise jinja2.TemplateNotFound(f"{template} (not UTF-8 text)") from None
        return text, os.path.join(self.root, *pieces), lambda: False


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def read_confined(root: Path, pieces: list[str], max_bytes: int | None = None) -> bytes:
    """The bytes of ``root/pieces...``, read without following any link below ``root``.

    Raises ``OSError`` (``ELOOP`` for a link, ``EINVAL`` for something that is not a
    regular file, ``EFBIG`` past ``max_bytes``).
    """
    if not pieces:
        raise FileNotFoundError(errno.ENOENT, "no name", str(root))
    folder = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for piece in pieces[:-1]:
            inner = _open_nofollow(piece, os.O_RDONLY | _DIRECTORY, folder)
            os.close(folder)
            folder = inner
        handle = _open_nofollow(pieces[-1], os.O_RDONLY | _NONBLOCK | _BINARY, folder)
    finally:
        os.close(folder)
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", pieces[-1])
        limit = -1 if max_bytes is None else max_bytes + 1
        data = stream.read(limit)
    if max_bytes is not None and len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"larger than {max_bytes:,} bytes", pieces[-1])
    return data


def _open_nofollow(name: str, flags: int, folder: int) -> int:
    try:
        return os.open(name, flags | _NOFOLLOW, dir_fd=folder)
    except OSError as exc:
        # Linux says ELOOP for a final link and ENOTDIR for a link to a folder; say which.
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            with contextlib.suppress(OSError):
                if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
                    raise OSError(errno.ELOOP, "is a symbolic link", name) from None
        raise


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's on-disk cache, except that a full disk or a read-only cache dir only costs the
    time it would have saved: rendering never fails for want of a cache.

    Cached bytecode is code Python runs, so a cache file is only loaded when the user owns
    it and nobody else can write it (the folder is checked the same way when it is opened).
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        name = self._get_cache_filename(bucket)
        try:
            handle = os.open(name, os.O_RDONLY | _NOFOLLOW | _BINARY)
        except OSError:
            return
        with os.fdopen(handle, "rb") as stream:
            if not owned_privately(os.fstat(stream.fileno())):
                return
            bucket.load_bytecode(stream)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """A disk cache under the user's cache dir; None where it cannot be created.

    Compiled code depends on the environment's options (autoescape, block trimming) and
    Jinja keys its cache by the template's name and file, not by those options, so each
    kind of environment has its own.
    """
    directory = private_cache_dir("jinja", kind)
    if directory is None:
        return None
    return _BytecodeCache(str(directory))


def toml_string(value: Any) -> str:
    """``value`` as a TOML basic string: ``name = {{ project_name | toml }}``.

    A JSON string is a valid TOML basic string (the same escapes, unicode ones included),
    except that TOML also wants DEL escaped.
    """
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def python_literal(value: Any) -> str:
    """``value`` as a Python literal: ``NAME = {{ answers.collection | py }}``."""
    return repr(value)
