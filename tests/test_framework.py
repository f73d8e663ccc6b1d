"""The decision framework: published cases, each principle, confidence and flips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from advisor.framework import decide, find_flips, recommend
from advisor.questionnaire import Answers

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).parents[2] / "shared" / "decision-cases.yaml"


def load_cases(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text("utf-8"))


def case_params(*paths: Path) -> list:
    cases = [case for path in paths if path.exists() for case in load_cases(path)]
    return [pytest.param(case, id=case["id"]) for case in cases]


def make(**changes) -> Answers:
    base = Answers(volatility="static", format="none", latency_ms=2000, budget_usd=5000)
    return replace(base, **changes)


@pytest.mark.parametrize(
    "case", case_params(DATA / "decision-cases.yaml", DATA / "held-back-cases.yaml")
)
def test_cases_give_their_expected_recommendation(case):
    decision = decide(Answers(**case["answers"]))
    assert decision.recommendation == case["expected"]


@pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/decision-cases.yaml is not beside the checkout"
)
@pytest.mark.parametrize("case", case_params(SHARED))
def test_the_shared_cases_as_published_today(case):
    assert decide(Answers(**case["answers"])).recommendation == case["expected"]


# --- principle 1: RAG first ---------------------------------------------------------------


def test_rag_first_when_nothing_calls_for_fine_tuning():
    decision = decide(make(examples=10_000, budget_usd=1_000_000))
    assert decision.recommendation == "rag"
    assert any(r.points_to == "rag-first" and r.principle == 1 for r in decision.reasons)


# --- principle 2: when retrieval is needed ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"documents": 1}, "documents"),
        ({"citations": True}, "citations"),
        ({"volatility": "monthly"}, "volatility"),
        ({"volatility": "realtime"}, "volatility"),
    ],
)
def test_each_retrieval_trigger_turns_fine_tune_into_hybrid(change, key):
    strict = make(format="strict", examples=500)
    assert recommend(strict) == "fine-tune"
    decision = decide(replace(strict, **change))
    assert decision.recommendation == "hybrid"
    assert decision.retrieval_needed
    assert any(r.key == key and r.points_to == "retrieval" for r in decision.reasons)


@pytest.mark.parametrize("volatility", ["static", "yearly"])
def test_slow_changing_facts_do_not_need_retrieval(volatility):
    decision = decide(make(format="strict", examples=500, volatility=volatility))
    assert not decision.retrieval_needed
    assert decision.recommendation == "fine-tune"


# --- principle 3: reasons to fine-tune ------------------------------------------------------


def test_schema_alone_is_not_a_reason_to_fine_tune():
    decision = decide(make(format="schema", examples=5000, budget_usd=100_000))
    assert decision.recommendation == "rag"
    assert any(r.key == "format" and "structured outputs" in r.text for r in decision.reasons)


@pytest.mark.parametrize(("latency", "expected"), [(300, "fine-tune"), (301, "rag")])
def test_a_tight_latency_budget_is_a_reason_to_fine_tune(latency, expected):
    assert recommend(make(latency_ms=latency, examples=200)) == expected


@pytest.mark.parametrize(
    ("examples", "budget", "expected"),
    [(1000, 25_000, "hybrid"), (999, 25_000, "rag"), (1000, 24_999, "rag")],
)
def test_domain_qa_at_scale_adds_fine_tuning_to_retrieval(examples, budget, expected):
    answers = make(documents=500, citations=True, examples=examples, budget_usd=budget)
    assert recommend(answers) == expected


def test_domain_qa_at_scale_without_retrieval_is_no_reason():
    assert recommend(make(examples=5000, budget_usd=100_000)) == "rag"


# --- principle 4 and 6: feasibility, and what is missing ----------------------------------


@pytest.mark.parametrize(
    ("examples", "budget", "missing"),
    [(49, 5000, "examples"), (500, 49, "budget_usd"), (10, 10, "examples")],
)
def test_infeasible_fine_tuning_falls_back_to_rag_and_says_what_is_missing(
    examples, budget, missing
):
    decision = decide(make(format="strict", examples=examples, budget_usd=budget))
    assert decision.recommendation == "rag"
    assert not decision.fine_tune_feasible
    warning = next(w for w in decision.warnings if w.key == missing)
    assert "not feasible" in warning.text
    assert "decide again" in warning.text


def test_fifty_to_ninety_nine_examples_warns_that_more_would_pay():
    decision = decide(make(format="strict", examples=60))
    assert decision.recommendation == "fine-tune"
    assert any(w.key == "examples" and "100" in w.text for w in decision.warnings)
    assert not any(
        w.key == "examples" for w in decide(make(format="strict", examples=100)).warnings
    )


# --- principle 7: conflicts -----------------------------------------------------------------


def test_retrieval_with_a_tight_latency_budget_warns():
    decision = decide(make(latency_ms=250, documents=1000, examples=300))
    assert decision.recommendation == "hybrid"
    assert any(w.key == "latency_ms" and "reranking" in w.text for w in decision.warnings)


def test_a_small_static_corpus_may_fit_in_a_cached_prompt():
    decision = decide(make(documents=40))
    assert decision.recommendation == "rag"
    assert decision.variant is not None and "long-context" in decision.variant
    assert any(w.key == "documents" and "cached" in w.text for w in decision.warnings)
    assert decide(make(documents=51)).variant is None
    assert decide(make(documents=40, volatility="weekly")).variant is None


def test_fine_tuning_with_changing_facts_warns_to_keep_facts_in_the_index():
    decision = decide(make(format="strict", examples=500, volatility="weekly"))
    assert any(w.key == "volatility" and "retrain" in w.text for w in decision.warnings)


# --- confidence -----------------------------------------------------------------------------


def test_clear_cases_score_clearly_higher_than_borderline_ones():
    clear = decide(make(volatility="daily", documents=5000, citations=True))
    one_example_short = decide(make(format="strict", examples=49, volatility="weekly"))
    just_feasible = decide(make(format="strict", examples=50))
    assert 0 <= one_example_short.confidence <= 1 and 0 <= clear.confidence <= 1
    assert clear.confidence >= one_example_short.confidence + 0.3
    assert clear.confidence >= just_feasible.confidence + 0.3


# --- flips ----------------------------------------------------------------------------------


def test_flips_name_the_exact_threshold():
    decision = decide(make(format="strict", examples=40, volatility="weekly", documents=800))
    flip = next(f for f in decision.flips if f.key == "examples")
    assert (flip.from_, flip.to, flip.recommendation) == (40, 50, "hybrid")


@pytest.mark.parametrize("case", case_params(DATA / "decision-cases.yaml"))
def test_every_flip_really_changes_the_recommendation(case):
    answers = Answers(**case["answers"])
    current = recommend(answers)
    for flip in find_flips(answers):
        changed = replace(answers, **{flip.key: flip.to})
        assert recommend(changed) == flip.recommendation != current


def test_flips_are_the_nearest_change():
    answers = make(latency_ms=1000, examples=200)
    flip = next(f for f in find_flips(answers) if f.key == "latency_ms")
    assert flip.to == 300
    assert recommend(replace(answers, latency_ms=301)) == "rag"


def test_decision_json_shape_is_stable():
    data = decide(make()).to_dict()
    assert {
        "recommendation",
        "confidence",
        "reasons",
        "warnings",
        "flips",
        "answers",
        "framework_version",
    } <= data.keys()
    assert {"key", "text"} <= data["reasons"][0].keys()
