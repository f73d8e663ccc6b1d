"""Compile the plugin's gettext catalogs (``.po`` -> ``.mo``) whenever it is built.

The ``.po`` files are the source kept in git; the ``.mo`` files advisor reads (through
the ``register_catalogs`` hook) are build output, so they can never go stale in git. The
hook runs for wheels and for editable installs (``pip install -e .``); Babel is needed
only at build time (``[tool.hatch.build.hooks.custom] dependencies``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = "src/advisor_pgvector/locale/*/LC_MESSAGES/*.po"


def compile_catalogs(root: Path) -> list[Path]:
    """Write each catalog's ``.mo`` next to its ``.po`` (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(root.glob(CATALOGS)):
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo)
    return written


class CatalogsBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_catalogs(root):
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
