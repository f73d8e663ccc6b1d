"""The sampling temperature is sent only to models that accept one.

OpenAI's reasoning models (gpt-5 onwards) answer any temperature but their default with
HTTP 400; the fake server does the same for the models in ``reasoning_models``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from {{ package }}.cli import main
from {{ package }}.rag.settings import SettingsError, load_settings

from .conftest import CORPUS
from .fake_openai import FakeOpenAI

DEFAULT_MODEL = {{ rag_models.chat | tojson }}
DEFAULT_TEMPERATURE = {% if rag_models.temperature is none %}None{% else %}{{ rag_models.temperature }}{% endif %}

QUESTION = "What daily sodium intake is recommended for adults with hypertension?"


@pytest.fixture
def ingested(rag_env: Path) -> Path:
    shutil.copytree(CORPUS, rag_env / "corpus")
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    return rag_env


def ask(monkeypatch: pytest.MonkeyPatch, model: str, temperature: str | None) -> Result:
    monkeypatch.setenv("RAG_CHAT_MODEL", model)
    if temperature is not None:
        monkeypatch.setenv("RAG_TEMPERATURE", temperature)
    return CliRunner().invoke(main, ["ask", QUESTION])


def test_the_default_temperature_is_the_scaffolds(clean_env: Path):
    assert load_settings().temperature == DEFAULT_TEMPERATURE


def test_the_default_model_answers_with_the_default_temperature(
    ingested: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
{% if rag_models.temperature is none %}
    openai_server.reasoning_models.add(DEFAULT_MODEL)  # the price book calls it a reasoner
{% endif %}
    result = ask(monkeypatch, DEFAULT_MODEL, None)
    assert result.exit_code == 0, result.output
    body = openai_server.chat_requests()[-1].body
    assert body.get("temperature") == DEFAULT_TEMPERATURE


def test_none_sends_no_temperature_and_a_reasoning_model_answers(
    ingested: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    openai_server.reasoning_models.add("reasoner")
    result = ask(monkeypatch, "reasoner", "none")
    assert result.exit_code == 0, result.output
    assert "temperature" not in openai_server.chat_requests()[-1].body


def test_a_set_temperature_is_sent(
    ingested: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    result = ask(monkeypatch, "plain-chat", "0")
    assert result.exit_code == 0, result.output
    assert openai_server.chat_requests()[-1].body["temperature"] == 0


def test_a_temperature_a_reasoning_model_refuses_is_one_line(
    ingested: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    openai_server.reasoning_models.add("reasoner")
    result = ask(monkeypatch, "reasoner", "0")
    assert result.exit_code == 1
    assert "temperature" in result.output and "Traceback" not in result.output


def test_a_temperature_out_of_range_is_refused(clean_env: Path, monkeypatch):
    monkeypatch.setenv("RAG_TEMPERATURE", "3")
    with pytest.raises(SettingsError, match="RAG_TEMPERATURE"):
        load_settings()
