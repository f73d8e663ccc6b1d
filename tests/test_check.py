"""``advisor check``: a recorded decision that no longer holds fails, one line per reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from scaffold_testkit import (
    RAG_ANSWERS,
    TEST_RAG,
    TEST_TUNE,
    run_advisor,
    use_backends,
    write_answers,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def backends(monkeypatch):
    monkeypatch.delenv("ADVISOR_TODAY", raising=False)
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


@pytest.fixture
def project(backends, tmp_path, monkeypatch):
    """A RAG project rendered on 2026-12-02, between OpenAI's two dated events."""
    monkeypatch.setenv("ADVISOR_TODAY", "2026-12-02")  # scaffold reads it too
    target = tmp_path / "bot"
    answers = write_answers(tmp_path, RAG_ANSWERS)
    result = run_advisor("scaffold", target, "--answers", answers, "--no-input")
    assert result.exit_code == 0, result.stderr
    return target


def set_record(project, **answers):
    path = project / ".advisor.yml"
    record = yaml.safe_load(path.read_text())
    record["answers"].update(answers)
    path.write_text(yaml.safe_dump(record, sort_keys=False))


def test_a_fresh_project_passes(project):
    result = run_advisor("check", project)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{project}/.advisor.yml: ok, the rag decision holds\n"


def test_an_answer_that_flips_the_recommendation_fails(project):
    set_record(project, format="strict")  # a house style: fine-tune joins the retrieval
    result = run_advisor("check", project)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{project}/.advisor.yml: recommendation: recorded rag, ")
    assert "gives hybrid" in line


def test_an_answer_that_keeps_the_recommendation_passes(project):
    set_record(project, queries_per_month=31000)
    assert run_advisor("check", project).exit_code == 0


def test_a_provider_event_passed_since_rendering_fails(project, monkeypatch):
    monkeypatch.setenv("ADVISOR_TODAY", "2027-01-05")
    assert run_advisor("check", project).exit_code == 0
    monkeypatch.setenv("ADVISOR_TODAY", "2027-01-06")
    result = run_advisor("check", project)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        f"{project}/.advisor.yml: provider: openai-fine-tuning: since 2027-01-06"
    )


def test_an_old_price_book_fails(project, monkeypatch):
    prices = yaml.safe_load((project / ".advisor.yml").read_text())["prices"]
    assert prices["version"] == prices["as_of"].replace("-", ".")  # the book's version date
    later = dt.date.fromisoformat(prices["as_of"]) + dt.timedelta(days=10)
    monkeypatch.setenv("ADVISOR_TODAY", later.isoformat())
    assert "prices:" not in run_advisor("check", project, "--max-price-age", "10").stdout
    result = run_advisor("check", project, "--max-price-age", "9")
    assert result.exit_code == 1
    assert (
        f"prices: the price book {prices['version']} of {prices['as_of']} is 10 days old "
        "(allowed: 9)"
    ) in result.stdout


def test_a_model_an_answer_names_fails_once_it_is_shut_down(project, monkeypatch):
    set_record(project, rag_chat_model="gpt-4o-mini-2024-07-18",
               openai_base_model="ft:gpt-4.1-mini-2025-04-14:org:demo:x",
               embedding_note_model=3)  # not a model name: ignored
    assert "model:" not in run_advisor("check", project).stdout, "not shut down yet"
    monkeypatch.setenv("ADVISOR_TODAY", "2027-01-14")
    lines = [line for line in run_advisor("check", project).stdout.splitlines()
             if ": model: " in line]
    assert [line.split(": model: ")[1].split(":")[0] for line in lines] == [
        "openai_base_model", "rag_chat_model"]
    assert "gpt-4o-mini-2024-07-18 was shut down on 2027-01-14 with every fine-tune" in lines[1]
    assert "advisor update --set rag_chat_model=MODEL" in lines[1]


def test_the_price_books_default_chat_model_is_not_flagged(project, monkeypatch):
    from advisor.api import chat_model

    set_record(project, rag_chat_model=chat_model().model_id)
    monkeypatch.setenv("ADVISOR_TODAY", "2030-01-01")
    assert ": model: " not in run_advisor("check", project).stdout


def test_every_finding_is_one_line(project, monkeypatch):
    set_record(project, format="strict")
    monkeypatch.setenv("ADVISOR_TODAY", "2028-01-01")
    result = run_advisor("check", project, "--max-price-age", "0")
    assert result.exit_code == 1
    kinds = [line.split(": ")[1] for line in result.stdout.splitlines()]
    # One line per finding; several dated provider events may each have passed.
    assert list(dict.fromkeys(kinds)) == ["recommendation", "provider", "prices"]


def test_a_project_without_a_decision_checks_dates_only(backends, tmp_path, monkeypatch):
    target = tmp_path / "bot"
    assert run_advisor("scaffold", target, "--backend", "test-rag", "--no-input").exit_code == 0
    result = run_advisor("check", target)
    assert result.exit_code == 0, result.output
    assert "no decision recorded to re-check" in result.stdout


@pytest.mark.parametrize(
    ("setup", "env", "message"),
    [
        ("none", None, "has no .advisor.yml"),
        ("project", "yesterday", "$ADVISOR_TODAY: 'yesterday' is not a date"),
        ("bad-record", None, "providers"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(project, tmp_path, monkeypatch, setup, env, message):
    target = tmp_path / "empty" if setup == "none" else project
    target.mkdir(exist_ok=True)
    if env is not None:
        monkeypatch.setenv("ADVISOR_TODAY", env)
    if setup == "bad-record":
        path = project / ".advisor.yml"
        path.write_text(path.read_text().replace("openai-fine-tuning: '2027-01-06'", "x: soon"))
    result = run_advisor("check", target)
    assert result.exit_code == 2, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and message in last


def test_the_pre_commit_hook_runs_advisor_check():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "advisor-check"
    assert hook["entry"] == "advisor check"
    assert hook["pass_filenames"] is False
