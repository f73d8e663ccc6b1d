"""The plugin registers a valid backend, and the project it scaffolds passes its own tests.

``plugin_registered`` is strict: anything advisor would warn about fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from advisor.testing import invoke, plugin_registered

from [[ module ]] import plugin


def test_the_backend_is_registered_and_passes_advisors_checks():
    with plugin_registered(plugin) as manager:
        backend = manager.backends()["[[ backend ]]"]

    assert backend.approaches == ("rag",)
    assert (backend.template_dir / "files").is_dir()


def test_advisor_plugins_lists_it():
    with plugin_registered(plugin, name="[[ name ]]"):
        result = invoke(["plugins", "--format", "json"])

    [entry] = json.loads(result.stdout)
    assert [b["name"] for b in entry["backends"]] == ["[[ backend ]]"]
    assert entry["errors"] == []


def test_the_scaffolded_project_passes_its_own_tests(tmp_path):
    project = tmp_path / "bot"
    with plugin_registered(plugin):
        result = invoke(["scaffold", str(project), "--backend", "[[ backend ]]", "--no-input"])
    assert result.exit_code == 0, result.stderr

    env = {k: v for k, v in os.environ.items() if not k.startswith("[[ env_prefix ]]_")}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env={**env, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
