"""Configuration (secrets stay secret) and the sample data the starter ships."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from {{ package }}.chatdata.settings import load_settings
from {{ package }}.cli import main
from {{ package }}.finetune.settings import SYSTEM_PROMPT, FineTuneSettings

ROOT = Path(__file__).resolve().parents[2]


def test_settings_read_dotenv_and_never_show_the_key(project):
    (project / ".env").write_text(
        "OPENAI_API_KEY=sk-from-dotenv-secret\nOPENAI_BASE_URL=http://127.0.0.1:1/v1\n"
        "FINETUNE_SEED=7\nFINETUNE_EPOCHS=auto\nFINETUNE_FINE_TUNED_MODEL=\n",
        encoding="utf-8",
    )
    settings = load_settings(FineTuneSettings)
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-from-dotenv-secret"
    assert (settings.seed, settings.epochs, settings.fine_tuned_model) == (7, "auto", None)
    assert "sk-from-dotenv-secret" not in repr(settings)
    assert "sk-from-dotenv-secret" not in settings.model_dump_json()


def test_a_bad_setting_is_one_line_naming_variable_value_and_allowed(project, monkeypatch):
    monkeypatch.setenv("FINETUNE_SUFFIX", "no spaces allowed")
    result = CliRunner().invoke(main, ["train", "--dry-run"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: FINETUNE_SUFFIX: 'no spaces allowed' is not allowed "
        "(allowed: 1 to 64 letters, digits, '-' or '_')"
    )


def test_dry_run_output_has_no_secret(project, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-print-me")
    result = CliRunner().invoke(main, ["train", "--dry-run", "--training-file",
                                       str(ROOT / "data" / "train.jsonl")])
    assert result.exit_code == 0, result.output
    assert "sk-never-print-me" not in result.output


def test_the_sample_data_validates_cleanly(project):
    for name in ("train.jsonl", "validation.jsonl"):
        result = CliRunner().invoke(main, ["validate", str(ROOT / "data" / name),
                                           "--format", "json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["errors"] == {}
        if name == "train.jsonl":
            assert report["warnings"] == []
            assert report["examples"] >= 50


def test_the_sample_data_is_prompted_like_chat_and_evaluate_ask():
    for name in ("train.jsonl", "validation.jsonl"):
        for line in (ROOT / "data" / name).read_text("utf-8").splitlines():
            assert json.loads(line)["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}


def test_the_sample_data_does_not_contain_the_evaluation_questions():
    questions = {json.loads(line)["question"]
                 for line in (ROOT / "evals" / "eval.jsonl").read_text("utf-8").splitlines()}
    for name in ("train.jsonl", "validation.jsonl"):
        for line in (ROOT / "data" / name).read_text("utf-8").splitlines():
            assert json.loads(line)["messages"][1]["content"] not in questions


def test_the_wind_down_data_has_dates_and_a_source():
    status = json.loads((ROOT / "src" / "{{ package }}" / "finetune" / "provider_status.json")
                        .read_text("utf-8"))
    assert status["source"].startswith("https://")
    assert [e["date"] for e in status["events"]] == sorted(e["date"] for e in status["events"])
