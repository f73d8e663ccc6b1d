"""The decision framework: published cases, each principle, confidence and flips."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from advisor.advice import load_price_data
from advisor.costs import PriceBook
from advisor.framework import decide, find_flips, recommend
from advisor.questionnaire import Answers

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).parents[2] / "shared" / "decision-cases.yaml"
SHARED_ROUND2 = SHARED.with_name("decision-cases-round2.yaml")


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


def book(**overrides) -> PriceBook:
    return PriceBook.from_data(load_price_data(), overrides)


# With 20-token answers a hosted model needs at least 300 ms + 20/200 s = 400 ms, a small
# fine-tuned model about 60 ms + 20/200 s = 160 ms (the shipped latency assumptions).
@pytest.mark.parametrize(
    ("latency", "expected"),
    [(399, "fine-tune"), (400, "rag"), (160, "fine-tune"), (159, "rag")],
)
def test_latency_is_a_reason_to_fine_tune_only_when_a_smaller_model_fits(latency, expected):
    short = book(output_tokens=20)
    decision = decide(make(latency_ms=latency, examples=200), short)
    assert decision.recommendation == expected
    assert any(r.key == "latency_ms" for r in decision.reasons) == (expected == "fine-tune")


def test_a_latency_budget_nothing_meets_is_no_reason_to_fine_tune_and_says_what_fits():
    decision = decide(make(latency_ms=300, examples=200))  # 300-token answers
    assert decision.recommendation == "rag"
    [warning] = [w for w in decision.warnings if w.key == "latency_ms"]
    assert "No option fits" in warning.text and "tokens would fit" in warning.text


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
    # 1,500 ms: a hosted model needs at least 1,850 ms with retrieval, a small one fits.
    decision = decide(make(latency_ms=1500, documents=1000, examples=300))
    assert decision.recommendation == "rag"
    assert any(w.key == "latency_ms" and "reranking" in w.text for w in decision.warnings)


def test_a_small_static_corpus_may_fit_in_a_cached_prompt():
    # 2,000 tokens a document: 100 documents are 200k tokens, the long-context limit.
    decision = decide(make(documents=40))
    assert decision.recommendation == "rag"
    assert decision.variant is not None and "long-context" in decision.variant
    assert any(w.key == "documents" and "cached" in w.text for w in decision.warnings)
    assert decide(make(documents=100)).variant is not None
    assert decide(make(documents=101)).variant is None
    assert decide(make(documents=40, volatility="weekly")).variant is None


def test_citations_do_not_exclude_the_long_context_variant():
    decision = decide(make(documents=20, citations=True))
    assert decision.recommendation == "rag"
    assert decision.variant is not None and "long-context" in decision.variant
    assert any("citation" in w.text for w in decision.warnings if w.key == "documents")


def test_the_long_context_limit_counts_tokens_not_documents():
    assert decide(make(documents=40), book(tokens_per_document=6000)).variant is None
    korean = replace(make(documents=80), language="ko")  # 80 x 2,000 x 1.38 = 221k tokens
    assert decide(make(documents=80)).variant is not None
    assert decide(korean).variant is None


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
    answers = make(format="strict", examples=200)
    flip = next(f for f in find_flips(answers) if f.key == "examples" and f.to < 200)
    assert flip.to == 49
    assert recommend(replace(answers, examples=50)) == "fine-tune"


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


# --- round 2: distillation at volume, the budget floor, deployment --------------------------


@pytest.mark.skipif(not SHARED_ROUND2.exists(), reason="../shared round-2 cases not beside it")
@pytest.mark.parametrize("case", case_params(SHARED_ROUND2))
def test_the_shared_round_two_cases(case):
    decision = decide(Answers(**case["answers"]))
    assert decision.recommendation == case["expected"]
    if case["answers"].get("deployment", "api") != "api":
        assert any(w.key == "deployment" for w in decision.warnings)
    if case["id"] == "rag-12-small-corpus-cited":
        assert decision.variant is not None and "long-context" in decision.variant


DISTIL = dict(volatility="static", format="light", latency_ms=4000, budget_usd=30_000,
              examples=800, queries_per_month=4_000_000, quality_model="large")


def test_a_large_model_at_volume_is_a_reason_to_fine_tune_by_distillation():
    decision = decide(make(**DISTIL))
    assert decision.recommendation == "fine-tune"
    [reason] = [r for r in decision.reasons if r.key == "quality_model"]
    assert reason.points_to == "fine-tune" and "pays" in reason.text


@pytest.mark.parametrize("change", [{"queries_per_month": 20_000}, {"quality_model": "small"},
                                    {"quality_model": "unknown"}])
def test_distillation_needs_volume_and_a_large_model(change):
    decision = decide(make(**{**DISTIL, **change}))
    assert decision.recommendation == "rag"
    assert not any(r.key == "quality_model" for r in decision.reasons)


def test_the_payback_horizon_is_configurable():
    assert recommend(make(**DISTIL), book(payback_horizon_months=6)) == "fine-tune"
    assert recommend(make(**DISTIL), book(payback_horizon_months=0.01)) == "rag"


def test_distillation_prompts_count_toward_feasibility():
    few = make(**{**DISTIL, "examples": 0})
    assert recommend(few) == "fine-tune"  # 4M real prompts for a teacher to answer
    assert recommend(replace(few, quality_model="unknown", format="strict")) == "rag"


def test_the_budget_floor_is_one_training_run_and_its_evaluation():
    strict = make(format="strict", examples=300)
    assert recommend(replace(strict, budget_usd=360)) == "fine-tune"
    assert recommend(replace(strict, budget_usd=340)) == "rag"
    assert recommend(replace(strict, budget_usd=340), book(evaluation_usd=100)) == "fine-tune"


@pytest.mark.parametrize("deployment", ["self-hosted", "air-gapped"])
def test_deployment_fixes_the_paths_but_not_the_recommendation(deployment):
    for answers in (make(format="strict", examples=500), make(documents=500, citations=True)):
        private = replace(answers, deployment=deployment)
        assert recommend(private) == recommend(answers)
        [warning] = [w for w in decide(private).warnings if w.key == "deployment"]
        assert "open-weights" in warning.text and "self-hosted" in warning.text
    assert not any(w.key == "deployment" for w in decide(make()).warnings)


def test_a_first_run_prompts_the_core_questions_only_and_the_optional_ones_keep_defaults(
    monkeypatch,
):
    from click.testing import CliRunner

    from advisor.cli import cli

    monkeypatch.setattr("advisor.questionnaire.can_prompt", lambda: True)  # as at a terminal
    core = ["static", "strict", "2000", "5000", "300", "false", "10000", "0"]
    typed = "\n".join([*core, "-"]) + "\n"  # "-": do not save the answers
    result = CliRunner().invoke(cli, ["decide", "--format", "json"], input=typed)
    assert result.exit_code == 0, result.output
    assert "quality_model" not in result.output.split("{", 1)[0]  # never prompted
    data = json.loads(result.output[result.output.index("{"):])
    assert data["answers"]["deployment"] == "api" and data["answers"]["language"] == "en"
    assert data["recommendation"] == "fine-tune"


@pytest.mark.parametrize(("key", "value"), [("deployment", "on-prem"), ("language", "fr"),
                                            ("quality_model", "huge")])
def test_a_bad_optional_answer_is_one_line_naming_what_is_allowed(key, value):
    from click.testing import CliRunner

    from advisor.cli import cli

    result = CliRunner().invoke(cli, ["decide", "--no-input", "--set", "volatility=static",
                                      "--set", "format=none", "--set", "latency_ms=2000",
                                      "--set", "budget_usd=100", "--set", f"{key}={value}"])
    assert result.exit_code == 2
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert key in line and repr(value) in line and "allowed: one of" in line
