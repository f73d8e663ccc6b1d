"""``{{ project_slug }} --help`` and each command's ``--help`` load no heavy library.

The CLI imports every backend's command module when it starts, so one module-level import
of a heavy library in any of them slows every invocation, ``--help`` included
(pydantic-settings alone takes a fifth of a second). Commands import these libraries inside
their functions (see ``cli.py``); these tests run the real ``python -m {{ package }}`` in a
fresh interpreter and check which of them it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import {{ package }} as project_package
from {{ package }}.cli import main

# Libraries a command may use once it runs, never to start the CLI (top-level names).
HEAVY = (
    "accelerate",
    "datasets",
    "httpx",
    "multiprocessing",
    "openai",
    "orjson",
    "peft",
    "pydantic",
    "pydantic_settings",
    "tiktoken",
    "torch",
    "transformers",
    "trl",
    "weaviate",
)

# `python -m PACKAGE ARGS...` as the interpreter runs it; then writes which of the
# comma-separated HEAVY names are in sys.modules to the file OUT, as a JSON list.
PROBE = """
import json, runpy, sys
out, package, heavy, *args = sys.argv[1:]
sys.argv = [package, *args]
try:
    runpy.run_module(package, run_name="__main__", alter_sys=True)
finally:
    loaded = [name for name in heavy.split(",") if name in sys.modules]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(loaded, handle)
"""

INVOCATIONS = [("--help",)] + [(name, "--help") for name in sorted(main.commands)]


@pytest.mark.parametrize("args", INVOCATIONS, ids=" ".join)
def test_help_loads_no_heavy_library(args: tuple[str, ...], tmp_path: Path):
    out = tmp_path / "loaded.json"
    source_root = str(Path(project_package.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source_root, path]))}
    # This interpreter on this package, with fixed arguments: no untrusted input.
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE, str(out), "{{ package }}", ",".join(HEAVY), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Usage:" in run.stdout
    loaded = json.loads(out.read_text("utf-8"))
    assert loaded == [], (
        f"`{{ project_slug }} {' '.join(args)}` imported {', '.join(loaded)}: "
        "import them inside the command functions that use them"
    )
