"""Installed-looking plugin distributions for tests, without pip or a network.

A distribution, for ``importlib.metadata``, is a ``NAME-VERSION.dist-info`` folder with
``METADATA`` and ``entry_points.txt`` on ``sys.path``: exactly what ``pip install``
leaves in site-packages. Writing that folder next to the plugin's modules on a tmp path
exercises the real entry-point discovery, in-process or in a subprocess (PYTHONPATH).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


class FakeSite:
    """A folder that plays site-packages for tests."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.modules: list[str] = []

    def add(
        self,
        dist: str,
        version: str,
        entry_points: dict[str, str],
        modules: dict[str, str],
    ) -> None:
        """Install ``dist``: its ``advisor`` entry points and its modules' sources.

        The site folder gets an empty ``files/`` too, so a plugin here can name its own
        folder (``Path(__file__).parent``) as a valid ``template_dir``.
        """
        (self.path / "files").mkdir(exist_ok=True)
        info = self.path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = ["[advisor]", *(f"{name} = {target}" for name, target in entry_points.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for module, source in modules.items():
            (self.path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            self.modules.append(module)

    def run_advisor(
        self, *args: str, env: dict[str, str] | None = None, code: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """Run ``advisor ARGS`` in a fresh interpreter that sees this site; then ``code``."""
        program = (
            "import sys\n"
            "from advisor.cli import cli\n"
            "status = 0\n"
            "try:\n"
            f"    cli({list(args)!r}, prog_name='advisor')\n"
            "except SystemExit as exit:\n"
            "    status = exit.code\n"
            f"{textwrap.dedent(code)}\n"
            "sys.exit(status)\n"
        )
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
        full_env["PYTHONPATH"] = str(self.path)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
        )


BACKEND_PLUGIN = """
    from pathlib import Path

    from advisor.api import Backend, hookimpl


    @hookimpl
    def register_backends(register):
        register(Backend(
            name={backend!r},
            approaches=("rag",),
            description="test backend {backend}",
            template_dir=Path(__file__).parent,
        ))
"""


def backend_plugin(backend: str) -> str:
    """Source of a plugin module registering one RAG backend named ``backend``."""
    return BACKEND_PLUGIN.format(backend=backend)
