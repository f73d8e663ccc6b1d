"""Where ``validate`` gets its base model and epochs, and that it loads pydantic-settings
only when a ``FINETUNE_`` variable could change them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import {{ package }} as project_package
from {{ package }}.chatdata.defaults import BASE_MODEL, EPOCHS, may_be_configured, model_and_epochs
from {{ package }}.chatdata.settings import DataSettings, load_settings

PROJECT = Path(__file__).resolve().parents[2]


def test_with_nothing_configured_the_defaults_are_what_the_settings_read():
    assert not may_be_configured()
    settings = DataSettings()
    assert model_and_epochs() == (settings.base_model, settings.epochs) == (BASE_MODEL, EPOCHS)


@pytest.mark.parametrize("line", ["FINETUNE_EPOCHS=4", "finetune_epochs=4"])
def test_a_setting_in_dotenv_is_read_in_any_case(line: str):
    Path(".env").write_text(f"OPENAI_API_KEY=sk-not-used\n{line}\n", "utf-8")
    assert model_and_epochs() == (BASE_MODEL, 4)


def test_a_subfolder_of_the_project_reads_the_project_roots_dotenv(
    monkeypatch: pytest.MonkeyPatch,
):
    Path("pyproject.toml").write_text("[project]\nname = 'demo'\n", "utf-8")
    Path(".env").write_text("FINETUNE_EPOCHS=4\nFINETUNE_BASE_MODEL=gpt-4o-2024-08-06\n")
    Path("notes", "drafts").mkdir(parents=True)
    monkeypatch.chdir(Path("notes", "drafts"))
    assert model_and_epochs() == ("gpt-4o-2024-08-06", 4)
    assert load_settings(DataSettings).epochs == 4


def test_a_setting_in_the_environment_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("finetune_base_model", "gpt-4o-2024-08-06")
    assert model_and_epochs() == ("gpt-4o-2024-08-06", EPOCHS)


def test_a_dotenv_without_finetune_settings_leaves_the_defaults():
    Path(".env").write_text("OPENAI_API_KEY=sk-not-used\n", "utf-8")
    assert not may_be_configured()
    assert model_and_epochs() == (BASE_MODEL, EPOCHS)


def test_a_mere_mention_reads_the_settings_which_still_give_the_defaults():
    Path(".env").write_text("# FINETUNE_EPOCHS=9 (try later)\n", "utf-8")
    assert may_be_configured()
    assert model_and_epochs() == (BASE_MODEL, EPOCHS)


@pytest.mark.parametrize("dotenv", [None, "FINETUNE_EPOCHS=4\n"])
def test_validate_loads_pydantic_settings_only_when_a_setting_is_given(
    dotenv: str | None, tmp_path: Path
):
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, "utf-8")
    source_root = str(Path(project_package.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("FINETUNE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source_root, env.get("PYTHONPATH")]))
    data = PROJECT / "data" / "train.jsonl"
    argv = ["validate", str(data), "--format", "json", "--tokenizer", "approx"]
    # This interpreter on this package, with fixed arguments: no untrusted input.
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-m", "{{ package }}", *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert ("pydantic_settings" in imported) is (dotenv is not None)
    if dotenv is not None:
        assert json.loads(run.stdout)["epochs"] == 4
