"""Settings: defaults from the scaffold answers, environment overrides, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.rag.settings import SettingsError, load_settings


def test_defaults_are_the_scaffold_answers(clean_env: Path):
    settings = load_settings()
    assert settings.collection == {{ answers.rag_collection | tojson }}
    assert settings.vectorizer == {{ rag_models.vectorizer | tojson }}
    assert settings.top_k == {{ answers.rag_top_k }}
{% if deployment == "api" %}
    assert settings.weaviate_url is None, "embedded Weaviate by default"
{% else %}
    assert settings.weaviate_url == "http://localhost:8080", "docker-compose.yml's Weaviate"
{% endif %}


def test_environment_and_dotenv_override(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    (clean_env / ".env").write_text("RAG_TOP_K=7\nRAG_SEARCH_MODE=near-text\nWEAVIATE_URL=\n")
    monkeypatch.setenv("RAG_TOP_K", "9")
    settings = load_settings()
    assert settings.top_k == 9, "the environment wins over .env"
    assert settings.search_mode == "near-text"
{% if deployment == "api" %}
    assert settings.weaviate_url is None, "an empty value means unset"
{% else %}
    assert settings.weaviate_url == "http://localhost:8080", "an empty value means the default"
{% endif %}


def test_a_subfolder_reads_the_project_roots_dotenv(clean_env: Path, monkeypatch):
    (clean_env / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (clean_env / ".env").write_text("WEAVIATE_URL=http://127.0.0.1:8080\nRAG_TOP_K=7\n")
    notes = clean_env / "docs" / "notes"
    notes.mkdir(parents=True)
    monkeypatch.chdir(notes)
    settings = load_settings()
    assert (settings.weaviate_url, settings.top_k) == ("http://127.0.0.1:8080", 7)
    (notes / ".env").write_text("RAG_TOP_K=3\n")  # a folder's own .env comes first
    assert load_settings().top_k == 3


def test_outside_a_project_only_the_working_folders_dotenv_counts(clean_env: Path, monkeypatch):
    (clean_env / ".env").write_text("RAG_TOP_K=7\n")  # no pyproject.toml: not a project
    (clean_env / "sub").mkdir()
    monkeypatch.chdir(clean_env / "sub")
    assert load_settings().top_k == {{ answers.rag_top_k }}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("RAG_TOP_K", "many", "RAG_TOP_K='many'"),
        ("RAG_VECTORIZER", "bert", "RAG_VECTORIZER='bert'"),
        ("RAG_COLLECTION", "lower", "RAG_COLLECTION='lower'"),
        ("RAG_CHUNK_OVERLAP", "5000", "must be smaller than RAG_CHUNK_SIZE"),
    ],
)
def test_bad_values_are_one_line_naming_variable_and_value(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert expected in raised.value.message
    assert "\n" not in raised.value.message
    result = CliRunner().invoke(main, ["ask", "anything"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_keys_never_print(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("WEAVIATE_API_KEY", "wv-very-secret")
    settings = load_settings()
    shown = repr(settings) + str(settings.model_dump())
    assert "very-secret" not in shown
