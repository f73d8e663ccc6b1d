"""The nested-run helper: a run that keeps printing is never cut off; a silent one is."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import starter_runs
from starter_runs import run_watched

PROGRESS = (
    "import sys, time\n"
    "for _ in range(12):\n"
    "    sys.stdout.write('.'); sys.stdout.flush(); time.sleep(0.25)\n"
    "print(' done')\n"
)


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch):
    monkeypatch.setattr(starter_runs, "load_factor", lambda: 1.0)


def test_a_run_that_keeps_printing_outlives_the_idle_limit(tmp_path):
    """3 s of dots (no newline until the end) with a 1 s idle limit: it completes."""
    done = run_watched([sys.executable, "-c", PROGRESS], cwd=tmp_path, idle_s=1)
    assert done.returncode == 0
    assert done.stdout == "." * 12 + " done\n"


def test_a_silent_run_is_stopped_with_what_it_printed(tmp_path):
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as info:
        run_watched(
            [sys.executable, "-c", "print('started', flush=True); import time; time.sleep(60)"],
            cwd=tmp_path,
            idle_s=1,
        )
    assert time.monotonic() - started < 20
    assert "started" in info.value.output
    assert "no output for 1 s" in info.value.output


def test_the_overall_limit_holds_even_with_progress(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired) as info:
        run_watched([sys.executable, "-c", PROGRESS], cwd=tmp_path, idle_s=10, limit_s=1)
    assert "overall limit" in info.value.output


def test_limits_scale_with_the_machines_load(tmp_path, monkeypatch):
    """On a machine loaded 4x, a 0.5 s idle limit becomes 2 s: 1 s pauses pass."""
    monkeypatch.setattr(starter_runs, "load_factor", lambda: 4.0)
    code = "import time\nfor _ in range(2):\n    print('.', flush=True); time.sleep(1)\n"
    done = run_watched([sys.executable, "-c", code], cwd=tmp_path, idle_s=0.5)
    assert done.returncode == 0


CONTEXT = (
    "import httpx, json\n"
    "context = httpx.create_ssl_context()\n"
    "print(json.dumps([context.cert_store_stats()['x509_ca'], int(context.verify_mode)]))\n"
)


@pytest.mark.parametrize("env", ["starter", "offline"])
def test_nested_runs_trust_one_ca_and_still_verify(tmp_path, env):
    """A client's TLS context in a nested run loads one CA (not ~150), and verifies."""
    import json
    import ssl

    (tmp_path / "src").mkdir()
    environ = starter_runs.starter_env(tmp_path) if env == "starter" else starter_runs.offline_env()
    done = run_watched([sys.executable, "-c", CONTEXT], cwd=tmp_path, env=environ)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [1, ssl.CERT_REQUIRED]


def test_nested_pytest_runs_leave_langsmiths_plugin_unloaded(tmp_path):
    """langchain's langsmith plugin costs every pytest start about a second of CPU."""
    pytest.importorskip("langsmith", reason="the plugin comes with the [bench] extra")
    (tmp_path / "src").mkdir()
    (tmp_path / "test_plugins.py").write_text(
        "def test_no_langsmith(pytestconfig):\n"
        "    assert not pytestconfig.pluginmanager.has_plugin('langsmith_plugin')\n"
        "    assert pytestconfig.pluginmanager.has_plugin('pytest_httpserver')\n",
        encoding="utf-8",
    )
    done = starter_runs.run_in_starter(tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
