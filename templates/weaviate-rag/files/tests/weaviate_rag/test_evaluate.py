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


def test_evaluate_prices_the_usage_the_api_reported(project: Path, openai_server: FakeOpenAI):
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    result = evaluate_rag("--scorer", "contains")
    assert result.exit_code == 0, result.output
    summary = rag_summary(project)
    assert summary["errors"] == 0 and summary["items"] == 10
    # The local server reports 10 prompt and 10 completion tokens for every chat.
    model = openai_server.chat_requests()[0].body["model"]
    book = load_price_book(project / "evals" / "prices.json")
    per_question = book.cost(Usage(model, 10, 10))
    assert per_question is not None, f"{model} is in the price book"
    assert summary["cost_per_1k_usd"] == pytest.approx(1000 * per_question)


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


def test_a_wrong_key_fails_every_question_and_says_why(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key")
    result = evaluate_rag()
    assert result.exit_code == 1
    assert "rag: 10 of 10 failed; first: " in result.output
    assert "Incorrect API key provided" in result.output
    assert "sk-wrong-key" not in result.output


def test_evaluate_closes_the_connection_and_the_model_clients(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    from {{ package }}.rag import pipeline

    opened: list[pipeline.Answerer] = []
    original = pipeline.Answerer.__init__

    def remember(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(pipeline.Answerer, "__init__", remember)
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    result = evaluate_rag("--concurrency", "4")
    assert result.exit_code == 0, result.output
    (answerer,) = opened  # one connection for every question, asked four at a time
    assert answerer.openai.is_closed() and answerer.chat_openai.is_closed()
    with pytest.raises(Exception):  # noqa: B017 - the closed Weaviate client refuses
        answerer.retrieve("anything")
{% if answers.get("format") == "schema" %}


def test_answers_come_as_structured_outputs_and_evaluate_checks_them(
    project: Path, openai_server: FakeOpenAI
):
    from {{ package }}.answer_schema import Answer

    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0
    result = evaluate_rag("--scorer", "contains")
    assert result.exit_code == 0, result.output
    requests = openai_server.chat_requests()
    assert requests
    for request in requests:
        response_format = request.body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["strict"] is True
        assert response_format["json_schema"]["schema"] == Answer.model_json_schema()
    summary = rag_summary(project)
    assert summary["format_valid_rate"] == 1.0
    assert "format ok" in result.output

    # A server without structured outputs: the answers break the schema, and evaluate
    # says so.
    openai_server.structured_outputs = False
    result = evaluate_rag("--output", "plain.json")
    assert result.exit_code == 0, result.output
    document = json.loads((project / "plain.json").read_text("utf-8"))
    assert document["systems"][0]["format_valid_rate"] == 0.0
{% endif %}
