"""``advisor plugin new NAME``: a ready-to-publish plugin distribution, tests green.

The template (``templates/plugin``) holds a distribution with the entry point, a RAG
backend with its own Jinja templates, tests that use :mod:`advisor.testing` (the
backend's starter included) and a CI workflow. The generator's own placeholders are
``[[ name ]]`` and ``[% ... %]``, so the backend's templates inside it keep advisor's
``{{ package }}`` untouched for ``advisor scaffold`` to fill in later.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .errors import InputError
from .vetting import BACKEND_NAME

NAME_HELP = "lowercase letters and digits in words joined by single hyphens, e.g. chroma"


def plugin_variables(name: str) -> dict[str, Any]:
    """The names a plugin called ``name`` uses, or an :class:`InputError` naming the value."""
    if not BACKEND_NAME.fullmatch(name) or len(name) > 30:
        raise InputError(f"NAME {name!r}: not a usable plugin name (allowed: {NAME_HELP})")
    snake = name.replace("-", "_")
    return {
        "name": name,
        "distribution": f"advisor-{name}",
        "module": f"advisor_{snake}",
        "backend": f"{name}-rag",
        "subpackage": f"{snake}_rag",
        "env_prefix": f"{snake.upper()}_RAG",
        "advisor_version": __version__,
    }


def new_plugin(name: str, target: Path, template: Path) -> list[Path]:
    """Render ``template/files`` for ``name`` into the new folder ``target``; its files.

    ``target`` must not exist yet (or be an empty folder): nothing of the user's is
    overwritten. Files are rendered into a sibling temporary folder first and moved in
    one rename, so a failure leaves nothing half-written.
    """
    variables = plugin_variables(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"--dir {target}: already exists and is not empty (allowed: a new folder)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; a new folder would not be
        written = _render_tree(template / "files", staging, variables)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / path for path in written]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _render_tree(source: Path, into: Path, variables: dict[str, Any]) -> list[Path]:
    env = jinja2.Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    written = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = Path(
            *(env.from_string(part).render(variables) for part in path.relative_to(source).parts)
        )
        if any(part in ("", ".", "..") or re.search(r"[\\/]", part) for part in relative.parts):
            raise InputError(f"{path}: renders to an unusable path {relative}")
        out = into / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(env.from_string(path.read_text("utf-8")).render(variables), "utf-8")
        written.append(relative)
    return written
