"""Each built-in backend scaffolds with no answers at all, as its issue's acceptance asks.

``advisor scaffold demo --backend NAME --no-input``: the backend is named, so the core
answers are optional; the project is made without a decision and its
``docs/decision.md`` says why and how to record one. (Whether each starter's own tests
pass is the business of ``test_backend_*_starter.py``.)
"""

from __future__ import annotations

import pytest
import yaml
from scaffold_testkit import run_advisor

from advisor import plugins

BUILT_IN = ("openai-finetune", "weaviate-rag", "hf-lora")


@pytest.fixture
def installed(monkeypatch):
    """The backends installed plugins register (entry points), not the test backends."""
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    plugins.reset()
    yield plugins.get_plugins().backends()
    plugins.reset()


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_built_in_backend_scaffolds_without_answers(installed, tmp_path, monkeypatch, name):
    if name not in installed:
        pytest.skip(f"backend {name} is not installed here (no advisor entry point for it)")
    monkeypatch.chdir(tmp_path)
    result = run_advisor("scaffold", "demo", "--backend", name, "--no-input")
    assert result.exit_code == 0, result.stderr
    assert f"No decision -> backends: {name}" in result.stderr

    demo = tmp_path / "demo"
    record_md = (demo / "docs/decision.md").read_text(encoding="utf-8")
    assert record_md.startswith("# Decision record: not recorded\n")
    assert f"- Backends: `{name}` (" in record_md
    assert "No decision was recorded: the backends were chosen directly" in record_md
    assert "```bash\nadvisor decide --format markdown -o docs/decision.md\n```" in record_md
    record = yaml.safe_load((demo / ".advisor.yml").read_text(encoding="utf-8"))
    assert record["decision"] is None
    assert [b["name"] for b in record["backends"]] == [name]
    assert (demo / "src/demo/cli.py").is_file()
