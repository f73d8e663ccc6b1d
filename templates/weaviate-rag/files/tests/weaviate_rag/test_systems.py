"""The `rag` evaluation system: predictions carry the retrieved files for the hit rate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.evaluation import Prediction
from {{ package }}.rag.systems import systems

from .conftest import CORPUS
from .fake_openai import FakeOpenAI

EVAL_SET = CORPUS.parents[1] / "evals" / "eval.jsonl"


def test_every_eval_answer_is_written_in_its_source_file():
    items = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    assert items
    for item in items:
        for source in item["sources"]:
            assert item["answer"] in (CORPUS / source).read_text(encoding="utf-8"), item["id"]


def test_rag_system_retrieves_the_expected_source_for_every_eval_question(
    rag_env: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("RAG_TOP_K", "3")
    shutil.copytree(CORPUS, rag_env / "corpus")
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0

    found = systems()
    assert list(found) == ["rag"]
    items = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    for item in items:
        prediction = found["rag"](item["question"])
        assert isinstance(prediction, Prediction)
        assert 1 <= len(prediction.sources) <= 3
        assert set(item["sources"]) <= set(prediction.sources), item["id"]
        assert prediction.answer
    assert len(openai_server.chat_requests()) == len(items), "one connection, one call each"
    found["rag"].close()  # what `evaluate` does when it is done


{% if deployment == "api" %}
def test_without_a_key_the_system_is_left_out_with_a_note(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
):
    assert systems() == {}
    assert "OPENAI_API_KEY is not set" in capsys.readouterr().err
{% else %}
def test_without_a_key_the_local_servers_are_still_asked(clean_env: Path):
    assert "rag" in systems(), "a local vLLM needs no key unless started with --api-key"
{% endif %}


def test_the_shared_evaluate_command_runs_the_rag_system(
    rag_env: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copytree(CORPUS, rag_env / "corpus")
    shutil.copytree(EVAL_SET.parent, rag_env / "evals")
    assert CliRunner().invoke(main, ["ingest", "corpus"]).exit_code == 0

    result = CliRunner().invoke(
        main, ["evaluate", "--system", "rag", "--scorer", "contains", "--output", "out.json"]
    )

    assert result.exit_code == 0, result.output
    results = json.loads((rag_env / "out.json").read_text(encoding="utf-8"))
    (summary,) = results["systems"]
    assert summary["system"] == "rag" and summary["errors"] == 0
    assert summary["hit_rate"] == 1.0, "every expected source came back in the top-k"
