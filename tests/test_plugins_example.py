"""The third-party example, pip-installed into this environment (.ci/run does), is listed.

Runs the real ``advisor`` console script, so nothing but the installed distribution's
metadata tells advisor about the plugin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

try:
    EXAMPLE = metadata.distribution("advisor-pgvector")
except metadata.PackageNotFoundError:
    EXAMPLE = None

pytestmark = pytest.mark.skipif(
    EXAMPLE is None,
    reason="advisor-pgvector is not installed (pip install ./examples/advisor-pgvector)",
)

ADVISOR = str(Path(sys.executable).parent / "advisor")


def advisor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    return subprocess.run(
        [ADVISOR, *args], capture_output=True, text=True, env={**clean, **env}, timeout=60,
        check=False,
    )


def test_pip_installed_plugin_is_listed_in_json():
    result = advisor("plugins", "--format", "json", ADVISOR_STRICT_PLUGINS="1")

    assert result.returncode == 0, result.stderr
    [entry] = [e for e in json.loads(result.stdout) if e["name"] == "pgvector"]
    assert entry["distribution"] == "advisor-pgvector"
    assert entry["version"] == EXAMPLE.version
    assert entry["hooks"] == ["register_backends", "register_catalogs", "register_doctor_checks"]
    assert entry["catalogs"] == ["advisor_pgvector"]
    assert [(b["name"], b["approaches"]) for b in entry["backends"]] == [
        ("pgvector-rag", ["rag"])
    ]
    assert entry["errors"] == []


def test_pip_installed_plugin_is_listed_in_the_table():
    result = advisor("plugins")

    row = next(line for line in result.stdout.splitlines() if line.startswith("pgvector "))
    assert row.split() == [
        "pgvector", "advisor-pgvector", EXAMPLE.version,
        "register_backends,", "register_catalogs,", "register_doctor_checks",
    ]
    assert "    backend pgvector-rag [rag]: RAG on PostgreSQL" in result.stdout


def test_pip_installed_plugin_obeys_load_plugins():
    result = advisor("plugins", "--format", "json", ADVISOR_LOAD_PLUGINS="")

    assert json.loads(result.stdout) == []


def test_pip_installed_backend_scaffolds_a_project_whose_tests_pass(tmp_path):
    answers = Path(__file__).parents[1] / "examples" / "answers" / "medical-guidelines.yaml"
    target = tmp_path / "demo"
    result = advisor(
        "scaffold", str(target), "--backend", "pgvector-rag", "--answers", str(answers),
        "--no-input", ADVISOR_STRICT_PLUGINS="1",
    )
    assert result.returncode == 0, result.stderr
    assert "pgvector-rag" in (target / ".advisor.yml").read_text("utf-8")
    assert (target / "src" / "demo" / "pgvector_rag").is_dir()
    # The generated project's own suite, run in this environment (its dependencies are
    # the core's plus psycopg, which only the live store test needs).
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=target, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(target / "src")},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout


def test_pip_installed_plugin_speaks_korean_through_its_own_catalog():
    """Its check and backend description come out in Korean; its JSON stays English."""
    doctor = advisor("doctor", "--lang", "ko", "--backend", "pgvector-rag")
    assert "실패    pgvector.database-url  PGVECTOR_DATABASE_URL이 설정되어 있지 않습니다" in (
        doctor.stdout
    ), doctor.stdout + doctor.stderr
    assert "해결: PGVECTOR_DATABASE_URL(환경 변수 또는 프로젝트의 .env)을" in doctor.stdout
    as_json = advisor("doctor", "--lang", "ko", "--backend", "pgvector-rag", "--format", "json")
    [check] = json.loads(as_json.stdout)["checks"]
    assert check["summary"] == "PGVECTOR_DATABASE_URL is not set"
    listing = advisor("plugins", "--lang", "ko")
    assert "    백엔드 pgvector-rag [rag]: pgvector 확장을 쓰는 PostgreSQL 기반 RAG" in (
        listing.stdout
    )
