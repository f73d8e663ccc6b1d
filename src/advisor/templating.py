"""Jinja environments: the advisor's own report templates and the starter templates.

Jinja is imported here, not at start-up, so commands that render nothing never pay for it.

Starter templates come from two kinds of places. The skeleton and installed backend
plugins are trusted code (a plugin can run anything when it is imported anyway), so they
render in a plain :class:`jinja2.Environment`. A template directory given by path
(``advisor scaffold --templates DIR``) may come from anywhere, so it renders in Jinja's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no underscore attributes (no
``__class__.__mro__`` walk to ``os``), no calls that mutate the shared context, and
``{% include %}`` confined to that directory by the loader.
"""

from __future__ import annotations

import contextlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from .api import templates_path
from .locations import cache_dir


@cache
def report_environment(*, html: bool = False) -> jinja2.Environment:
    """Report templates are ours and trusted; undefined variables are still errors.

    The HTML report escapes every value unless marked safe (the chart is our own SVG);
    Markdown and text are not HTML, so nothing is escaped there.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_path("reports")),
        bytecode_cache=_bytecode_cache("reports-html" if html else "reports"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=html,
    )


def starter_environment(template_dir: Path, *, sandboxed: bool) -> jinja2.Environment:
    """The environment a starter template directory renders in.

    Default delimiters, ``StrictUndefined`` (a missing variable is an error, never an empty
    string), block tags that swallow their own line (``trim_blocks``/``lstrip_blocks``, so
    ``{% if %}`` on its own line leaves no blank line in generated code), a file's final
    newline kept, and no HTML autoescaping (the output is code and Markdown, not HTML).
    """
    cls = jinja2.sandbox.ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    env = cls(
        loader=jinja2.FileSystemLoader(template_dir),
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
    return env


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's on-disk cache, except that a full disk or a read-only cache dir only costs the
    time it would have saved: rendering never fails for want of a cache."""

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
    directory = cache_dir() / "jinja" / kind
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
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
