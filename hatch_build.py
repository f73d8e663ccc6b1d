"""Compile the gettext catalogs (``.po`` -> ``.mo``) whenever the package is built.

The ``.po`` files are the source kept in git; the ``.mo`` files the standard library's
:mod:`gettext` reads are build output (git-ignored), so they cannot go stale in git. This
hook runs for wheels and for editable installs (``pip install -e .``), which then read
the ``.mo`` written next to its ``.po``; the test suite calls :func:`compile_catalogs`
at start-up so that it never reads a catalog older than its ``.po``. Fuzzy entries are
left out, as gettext's own ``msgfmt`` does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = "src/advisor/locale/*/LC_MESSAGES/*.po"


def compile_catalogs(root: Path) -> list[Path]:
    """Write each catalog's ``.mo`` next to its ``.po``; return the ``.mo`` paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(root.glob(CATALOGS)):
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = po.with_suffix(".mo")
        # Written aside and renamed: parallel test workers may compile at the same time.
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)
        written.append(mo)
    return written


class CatalogsBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_catalogs(root):
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
