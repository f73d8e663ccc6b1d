"""`evaluate` with the `rag` system against the local servers: what it costs, how it fails
out loud (a wrong key, `rag` before `ingest`), and that it closes what it opened."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.evaluation import Usage, load_price_book

from .conftest import CORPUS
from .fake_openai import FakeOpenAI

EVALS = CORPUS.parents[1] / "evals"


@pytest.fixture
def project(rag_env: Path) -> Path:
    """The working folder with the sample corpus and the evaluation set (and price book)."""
    shutil.copytree(CORPUS, rag_env / "corpus")
    shutil.copytree(EVALS, rag_env / "evals")
    return rag_env


def evaluate_rag(*args: str):
    return CliRunner().invoke(main, ["evaluate", "--system", "rag", *args])


def rag_summary(project: Path) -> dict:
    document = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    assert document["schema"] == "advisor.evidence/1"
    (summary,) = document["systems"]
    return summary


def test_evaluate_prices_usage_closes_what_it_opened_and_fails_loudly_on_a_wrong_key(
    project: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    """One ingest (the slow part) for everything `evaluate` does after it."""
    from {{ package }}.rag import pipeline

    opened: list[pipeline.Answerer] = []
    original = pipeline.Answerer.__init__

    def remember(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(pipeline.Answerer, "__init__", remember)
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    result = evaluate_rag("--scorer", "contains", "--concurrency", "4")
    assert result.exit_code == 0, result.output
    summary = rag_summary(project)
    assert summary["errors"] == 0 and summary["items"] == 10

    # Closing: one connection served every question, asked four at a time; it is closed.
    (answerer,) = opened
    assert answerer.openai.is_closed() and answerer.chat_openai.is_closed()
    with pytest.raises(Exception):  # noqa: B017 - the closed Weaviate client refuses
        answerer.retrieve("anything")
{% if answers.get("format") == "schema" %}

    # Structured outputs: every chat asks for the answer schema, every answer fits it.
    from {{ package }}.answer_schema import Answer

    for request in openai_server.chat_requests():
        response_format = request.body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["strict"] is True
        assert response_format["json_schema"]["schema"] == Answer.model_json_schema()
    assert summary["format_valid_rate"] == 1.0
    assert "format ok" in result.output
    # A server without structured outputs: the answers break the schema; evaluate says so.
    openai_server.structured_outputs = False
    assert evaluate_rag("--output", "plain.json").exit_code == 0
    plain = json.loads((project / "plain.json").read_text("utf-8"))
    assert plain["systems"][0]["format_valid_rate"] == 0.0
    openai_server.structured_outputs = True
{% endif %}

    # Cost: the local server reports 10 prompt and 10 completion tokens for every chat.
    model = openai_server.chat_requests()[0].body["model"]
    book = load_price_book(project / "evals" / "prices.json")
    per_question = book.cost(Usage(model, 10, 10))
    assert per_question is not None, f"{model} is in the price book"
    assert summary["cost_per_1k_usd"] == pytest.approx(1000 * per_question)

    # A wrong key: every question fails, evaluate says why and exits 1.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key")
    result = evaluate_rag("--output", "wrong-key.json")
    assert result.exit_code == 1
    assert "rag: 10 of 10 failed; first: " in result.output
    assert "Incorrect API key provided" in result.output
    assert "sk-wrong-key" not in result.output


def test_rag_before_ingest_fails_every_question_and_says_why(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    from {{ package }}.rag import pipeline

    attempts = []
    original = pipeline.Answerer.__init__

    def counted(self, *args, **kwargs) -> None:
        attempts.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(pipeline.Answerer, "__init__", counted)
    result = evaluate_rag()
    assert result.exit_code == 1
    assert "rag: 10 of 10 failed; first: " in result.output
    assert "run `ingest` first" in result.output
    assert "every question failed for rag" in result.output
    assert len(attempts) == 1, "Weaviate is asked once, not once per question"
