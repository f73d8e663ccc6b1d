"""The benchmarks run (quick mode): they are not timed here, only checked to work.

Timings are too noisy to gate CI; `python benchmarks/run.py` measures them for real.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytest.importorskip("cookiecutter", reason="the benchmark baselines need the [bench] extra")
pytest.importorskip("langchain_text_splitters", reason="the benchmark baselines need [bench]")


@pytest.mark.slow
def test_every_benchmark_runs_and_reports_its_targets(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    targets = result.stdout.split("## Targets")[1]
    for name in (
        "advisor --help / cookiecutter --help",
        "advisor decide / python -c pass",
        "advisor decide --lang ko / python -c pass",
        "decide text --lang ko / --lang en",
        "advisor scaffold / cookiecutter",
        "validate speed-up over the baseline",
        "chunking 1000/150 throughput vs langchain",
        "evaluate concurrent / serial time",
    ):
        assert name in targets
