"""Scaffold a built-in starter into a work folder so benchmarks can run its code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness import BIN

ROOT = Path(__file__).parents[1]
WORK = Path(__file__).parent / ".work"
ANSWERS = ROOT / "examples" / "answers" / "medical-guidelines.yaml"

# Words of the starters' sample domain, English and Korean, for generated benchmark data.
WORDS = [
    "blood",
    "pressure",
    "guideline",
    "patient",
    "dose",
    "metformin",
    "review",
    "target",
    "lifestyle",
    "sodium",
    "혈압",
    "당뇨병",
    "환자",
    "권장",
    "목표",
    "measurement",
    "annual",
    "vaccine",
    "booster",
    "clinic",
    "adult",
    "the",
    "of",
    "and",
]


def scaffold(backend: str, name: str) -> Path:
    """A fresh starter for ``backend`` in ``benchmarks/.work/name``; returns its folder."""
    target = WORK / name
    if target.exists():
        subprocess.run(["rm", "-rf", str(target)], check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(BIN / "advisor"),
            "scaffold",
            str(target),
            "--backend",
            backend,
            "--answers",
            str(ANSWERS),
            "--no-input",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return target


def module_command(project: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """argv and environment that run ``python -m <package> args`` from the starter's source,
    with a cache dir of the benchmark's own (``WORK/cache``) rather than the user's."""
    package = next(p.name for p in (project / "src").iterdir() if (p / "__init__.py").exists())
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "XDG_CACHE_HOME": str(WORK / "cache")}
    return [sys.executable, "-m", package, *args], env
