"""The built-in `openai-finetune` backend: its registration, its answers, and the starter
it makes, whose own test suite runs here against a local OpenAI-speaking server."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from starter_runs import ruff_failures, run_starter_tests

from advisor import plugins
from advisor.api import InputError, ScaffoldContext, templates_path
from advisor.cli import cli
from advisor.providers import load_providers

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "plugins" / "advisor_openai_finetune"
ANSWERS = REPO / "examples" / "answers" / "medical-guidelines.yaml"


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    plugins.reset()
    yield plugins.get_plugins().backends()["openai-finetune"]
    plugins.reset()


def context(**answers) -> ScaffoldContext:
    return ScaffoldContext("demo", "demo", answers, ("openai-finetune",), ("fine-tune",))


def test_registered_by_entry_point_for_fine_tuning(backend):
    assert backend.approaches == ("fine-tune",)
    assert backend.provider == "openai-fine-tuning"
    assert plugins.get_plugins().backend_owner("openai-finetune").name == "openai-finetune"
    assert backend.include == (templates_path("parts", "chatdata"),)
    assert {q.key for q in backend.questions} == {
        "openai_base_model", "openai_suffix", "openai_n_epochs", "openai_seed"}
    secrets = {e.name: e.example for e in backend.env if e.secret}
    assert secrets == {"OPENAI_API_KEY": "sk-your-key-here", "DISTILL_API_KEY": ""}
    assert {"OPENAI_BASE_URL", "FINETUNE_BASE_MODEL", "FINETUNE_EPOCHS"} <= {
        e.name for e in backend.env}


def test_the_model_question_offers_exactly_the_priced_openai_models(backend):
    table = json.loads(
        (templates_path("parts", "chatdata", "files", "src", "{{package}}", "chatdata")
         / "models.json").read_text("utf-8"))["models"]
    (question,) = [q for q in backend.questions if q.key == "openai_base_model"]
    assert set(question.choices) == {k for k, v in table.items() if v["provider"] == "openai"}
    assert question.default in question.choices


def _models_table() -> dict:
    path = templates_path("parts", "chatdata", "files", "src", "{{package}}", "chatdata",
                          "models.json")
    return json.loads(path.read_text("utf-8"))


def test_the_default_base_model_is_the_price_books_hosted_fine_tuning_snapshot(backend):
    from advisor.advice import load_price_data

    data = load_price_data()
    key = data["assumptions"]["hosted_fine_tune_model"]
    (question,) = [q for q in backend.questions if q.key == "openai_base_model"]
    assert question.default == data["chat_models"][key]["snapshot"]
    (env,) = [e for e in backend.env if e.name == "FINETUNE_BASE_MODEL"]
    assert env.example == question.default


def test_no_model_already_shut_down_is_offered(backend):
    (question,) = [q for q in backend.questions if q.key == "openai_base_model"]
    table = _models_table()["models"]
    today = dt.date(2026, 12, 2)
    for model in question.choices:
        retires = table[model].get("retires")
        assert retires is None or dt.date.fromisoformat(retires) > today, model
    assert "gpt-4.1-nano-2025-04-14" not in question.choices, "shut down 2026-10-23"


def test_model_shutdowns_agree_with_the_price_book_and_the_provider_data():
    from advisor.api import chat_model_facts

    table = _models_table()
    assert table["retirements"]["source"] and table["retirements"]["checked"]
    events = {e.date for e in load_providers()["openai-fine-tuning"].events}
    for model, entry in table["models"].items():
        facts = chat_model_facts(model)
        if facts is not None and facts.retires is not None:
            assert entry["retires"] == facts.retires.isoformat(), model
        if "retires" in entry:
            assert dt.date.fromisoformat(entry["retires"]) in events, model


def test_the_base_models_shutdown_reaches_the_readme_context(backend):
    model = "gpt-4o-mini-2024-07-18"
    extra = backend.extra_context(context(openai_base_model=model))
    assert extra["openai_base_retires"] == {
        "date": "2027-01-14",
        "source": "https://developers.openai.com/api/docs/deprecations",
        "checked": "2026-12-02",
    }
    unknown = backend.extra_context(context(openai_base_model="gpt-3.5-turbo-0125"))
    assert unknown["openai_base_retires"] is None


def test_extra_context_turns_answers_into_template_variables(backend):
    extra = backend.extra_context(context(openai_n_epochs=0, openai_suffix="ward-7"))
    assert extra["chatdata"]["epochs"] == "auto"
    assert extra["openai_finetune"]["suffix"] == "ward-7"
    assert backend.extra_context(context(openai_n_epochs=4))["chatdata"]["epochs"] == 4


@pytest.mark.parametrize("suffix", ["has space", "x" * 65, "semi;colon"])
def test_a_suffix_openai_would_refuse_is_refused_at_scaffold_time(backend, suffix):
    with pytest.raises(InputError, match="openai_suffix"):
        backend.extra_context(context(openai_suffix=suffix))


def test_wind_down_dates_come_from_the_provider_data(backend):
    status = backend.extra_context(context())["openai_status"]
    data = load_providers()["openai-fine-tuning"]
    assert [e["date"] for e in status["events"]] == [e.date.isoformat() for e in data.events]
    assert status["source"] == data.source
    assert status["alternative"] == "hf-lora"
    assert all(dt.date.fromisoformat(e["date"]) for e in status["events"])


def test_the_plugin_imports_nothing_of_the_core_but_the_public_api():
    for module in PLUGIN.glob("*.py"):
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                if name.split(".")[0] == "advisor":
                    assert name == "advisor.api", f"{module.name} imports {name}"


def _scaffold(target: Path, *extra: str):
    if "scaffold" not in cli.commands:
        pytest.skip("`advisor scaffold` is not in this build yet")
    return CliRunner().invoke(cli, ["scaffold", str(target), "--backend", "openai-finetune",
                                    "--no-input", "--answers", str(ANSWERS), *extra])


def test_a_bad_answer_is_one_line_and_writes_nothing(backend, tmp_path: Path):
    target = tmp_path / "demo"
    result = _scaffold(target, "--set", "openai_suffix=no spaces")
    assert result.exit_code == 2
    assert "openai_suffix: 'no spaces' is not allowed" in result.output
    assert not target.exists()


@pytest.mark.slow
def test_the_scaffolded_starter_passes_its_own_tests_and_ruff(backend, tmp_path: Path):
    target = tmp_path / "demo"
    result = _scaffold(target)
    assert result.exit_code == 0, result.output
    assert "2027-01-06" in (target / "README.md").read_text("utf-8")
    tests = run_starter_tests(target)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout
    assert ruff_failures(target) == []
