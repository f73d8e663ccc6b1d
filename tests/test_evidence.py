"""advisor.evidence/1: validation, merging, the statistics, and what the evidence decides."""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import pytest
from evidence_docs import FINE_TUNE, HYBRID, RAG, binary_items, decision, document, paired, system
from hypothesis import given
from hypothesis import strategies as st

from advisor import evidence as ev
from advisor import stats
from advisor.api import EVIDENCE_SCHEMA, EVIDENCE_SCHEMA_PATH, EvidenceError, parse_evidence
from advisor.evidence import assess, compare, loads_evidence, merge_evidence
from advisor.framework import RECOMMENDATIONS
from advisor.stats import items_needed

ISSUE_EXAMPLE = {
    "schema": "advisor.evidence/1",
    "eval_set": {"name": "medical-qa", "items": 200},
    "scorer": "f1",
    "systems": [
        {
            "system": "rag",
            "items": 200,
            "score": 0.86,
            "errors": 0,
            "latency_p95_ms": 850,
            "cost_per_1k_usd": 2.1,
            "format_valid_rate": 1.0,
        }
    ],
    "items": [{"system": "rag", "id": f"q{i}", "score": 1.0} for i in range(200)],
}


def parse(data):
    return parse_evidence(data, "results.json")


# --- the document --------------------------------------------------------------------------


def test_the_issue_example_is_valid_and_read_back():
    evidence = parse(ISSUE_EXAMPLE)
    rag = evidence.system("rag")
    assert (evidence.eval_set, evidence.eval_items, evidence.scorer) == ("medical-qa", 200, "f1")
    assert (rag.items, rag.score, rag.latency_p95_ms, rag.cost_per_1k_usd) == (200, 0.86, 850, 2.1)
    assert rag.format_valid_rate == 1.0 and len(rag.item_scores) == 200


def test_optional_fields_may_be_absent_or_null_and_unknown_fields_are_ignored():
    data = document(system("rag", 0.5, latency_p95_ms=None), notes="run on the staging index")
    data["systems"][0]["model"] = "gpt-4.1-mini"
    rag = parse(data).system("rag")
    assert rag.latency_p95_ms is None and rag.cost_per_1k_usd is None and rag.errors == 0
    assert rag.item_scores == {}


def test_the_shipped_schema_names_the_format_and_the_starters_systems():
    schema = json.loads(EVIDENCE_SCHEMA_PATH.read_text("utf-8"))
    assert schema["properties"]["schema"]["const"] == EVIDENCE_SCHEMA == ev.SCHEMA
    assert tuple(schema["$defs"]["system_name"]["enum"]) == ev.SYSTEMS
    assert ev.schema() == schema


@pytest.mark.parametrize(
    "path",
    [
        ("schema",),
        ("eval_set",),
        ("eval_set", "name"),
        ("eval_set", "items"),
        ("scorer",),
        ("systems",),
        ("systems", 0, "system"),
        ("systems", 0, "items"),
        ("systems", 0, "score"),
    ],
    ids=lambda path: "/".join(map(str, path)),
)
def test_every_field_the_schema_requires_is_required(path):
    schema = ev.schema()
    node = schema
    for step in path[:-1]:
        node = node["properties"][step] if isinstance(step, str) else schema["$defs"]["system"]
    assert path[-1] in node["required"]
    data = json.loads(json.dumps(ISSUE_EXAMPLE))
    target = data
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    with pytest.raises(EvidenceError) as error:
        parse(data)
    assert path[-1] in error.value.message


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"schema": "advisor.evidence/2"}, ["schema", "advisor.evidence/2", "advisor.evidence/1"]),
        ({"schema": None}, ["schema: null", "allowed: advisor.evidence/1"]),
        ({"schema": 1}, ["schema: 1 is not supported"]),
        ({"systems": []}, ["systems", "non-empty"]),
        ({"eval_set": {"name": "x", "items": 0}}, ["eval_set: items: 0", ">= 1"]),
        ({"scorer": " "}, ["scorer", "non-empty string"]),
    ],
)
def test_bad_top_level_fields_are_named_with_what_is_allowed(change, fragments):
    with pytest.raises(EvidenceError) as error:
        parse({**ISSUE_EXAMPLE, **change})
    message = error.value.message
    assert message.startswith("results.json: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("entry", "fragments"),
    [
        ({"score": 1.2}, ["systems[0]: score: 1.2", "from 0 to 1"]),
        ({"score": -0.1}, ["score: -0.1", "from 0 to 1"]),
        ({"score": "0.8"}, ["score", "a number"]),
        ({"score": True}, ["score: true"]),
        ({"items": 0}, ["systems[0]: items: 0", ">= 1"]),
        ({"items": 2.5}, ["items: 2.5"]),
        ({"system": "gpt-4"}, ['systems[0]: system: "gpt-4"', "base, rag, fine-tuned"]),
        ({"system": "fine_tuned"}, ["did you mean 'fine-tuned'"]),
        ({"errors": 201}, ["errors: 201 is more than its 200 items"]),
        ({"latency_p95_ms": -1}, ["latency_p95_ms: -1", ">= 0 or null"]),
        ({"format_valid_rate": 1.5}, ["format_valid_rate: 1.5"]),
    ],
)
def test_bad_system_entries_are_named_with_what_is_allowed(entry, fragments):
    data = document({**system("rag", 0.8), **entry})
    with pytest.raises(EvidenceError) as error:
        parse(data)
    for fragment in fragments:
        assert fragment in error.value.message


def test_non_finite_scores_are_refused():
    with pytest.raises(EvidenceError, match="score: NaN"):
        parse(document(system("rag", math.nan)))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([1, 2], "expected a JSON object"),
        (document(system("rag", 0.8), system("rag", 0.7)), "'rag' is listed twice"),
        (
            document(system("rag", 0.8), items=binary_items("fine-tuned", 1)),
            "per-item scores for 'fine-tuned', which systems does not list",
        ),
        (
            document(system("rag", 0.8), items=binary_items("rag", 1, items=10)),
            "10 per-item scores for 'rag', but systems says it was scored on 200",
        ),
        (
            document(
                system("rag", 0.8, items=2),
                items=[
                    {"system": "rag", "id": "q1", "score": 1.0},
                    {"system": "rag", "id": "q1", "score": 0.0},
                ],
            ),
            "item 'q1' of 'rag' is scored twice",
        ),
        (
            document(
                system("rag", 0.8, items=1), items=[{"system": "rag", "id": "q1", "score": 2}]
            ),
            "items[0]: score: 2",
        ),
        (document(system("rag", 0.8), items={"q1": 1}), 'items: {"q1": 1} is not a list'),
    ],
)
def test_what_a_schema_cannot_say_is_checked_too(data, fragment):
    with pytest.raises(EvidenceError) as error:
        parse(data)
    assert fragment in error.value.message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"rag,0.86\nft,0.9\n", "not JSON (line 1"),
        (b"", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
    ids=["csv", "empty", "binary", "nested"],
)
def test_text_that_is_not_a_json_document_is_refused_in_one_line(raw, fragment):
    with pytest.raises(EvidenceError) as error:
        loads_evidence(raw, "results.json")
    assert fragment in error.value.message
    assert "\n" not in error.value.message


def test_a_document_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    text = json.dumps(ISSUE_EXAMPLE)
    monkeypatch.setattr(ev, "MAX_EVIDENCE_BYTES", len(text) - 1)
    with pytest.raises(EvidenceError, match=f"is {len(text)} bytes; at most {len(text) - 1}"):
        loads_evidence(text, "results.json")
    monkeypatch.setattr(ev, "MAX_EVIDENCE_BYTES", len(text))
    assert loads_evidence(text, "results.json").system("rag").score == 0.86


# --- merging -------------------------------------------------------------------------------


def test_documents_merge_by_system_and_the_later_one_wins():
    first = parse_evidence(document(system("rag", 0.7), system("fine-tuned+rag", 0.72)), "a")
    second = parse_evidence(document(system("fine-tuned+rag", 0.9)), "b")
    merged = merge_evidence([first, second])
    assert [s.system for s in merged.systems] == ["rag", "fine-tuned+rag"]
    assert merged.system("fine-tuned+rag").score == 0.9
    assert merged.system("fine-tuned+rag").source == "b"
    assert merged.system("rag").source == "a"
    assert merged.sources == ("a", "b")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"scorer": "f1"}, "scorer: 'f1' differs from 'exact'"),
        ({"eval_set": {"name": "other", "items": 200}}, "eval_set: 'other' differs"),
    ],
)
def test_documents_measured_differently_are_not_merged(change, fragment):
    first = parse_evidence(document(system("rag", 0.7)), "a")
    second = parse_evidence({**document(system("fine-tuned", 0.9)), **change}, "b")
    with pytest.raises(EvidenceError) as error:
        merge_evidence([first, second])
    assert error.value.message.startswith("b: ") and fragment in error.value.message


# --- statistics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "expected"), [(1, 12.7062), (4, 2.7764), (10, 2.2281), (30, 2.0423), (5000, 1.9600)]
)
def test_t_quantiles_match_the_tables(df, expected):
    assert stats.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_the_precomputed_normal_quantiles_are_the_standard_librarys():
    for probability, z in stats._KNOWN_Z.items():
        assert z == pytest.approx(NormalDist().inv_cdf(probability), abs=1e-12)


def test_wilson_interval_without_per_item_scores():
    result = parse(document(system("rag", 0.5, items=100))).system("rag")
    assert ev.score_interval(result) == pytest.approx((0.4038, 0.5962), abs=1e-4)


def test_paired_t_test_matches_a_textbook_example():
    # Differences 1..5: mean 3, sd 1.581, t = 4.243 with 4 df, two-sided p = 0.0132.
    ids = [f"q{i}" for i in range(5)]
    base = ev.SystemResult("rag", 5, 0.0, item_scores=dict.fromkeys(ids, 0.0))
    better = ev.SystemResult(
        "fine-tuned+rag", 5, 0.6, item_scores={f"q{d - 1}": d / 10 for d in range(1, 6)}
    )
    result = compare(better, base, min_gain=0.05)
    assert result.test == "paired t-test"
    assert result.gain == pytest.approx(0.3)
    assert result.p_value == pytest.approx(0.0132, abs=1e-4)
    assert result.low == pytest.approx(0.3 - 2.7764 * 0.15811 / math.sqrt(5), abs=1e-4)


def test_two_proportion_test_when_there_are_no_per_item_scores():
    better = ev.SystemResult("fine-tuned+rag", 400, 0.75)
    simpler = ev.SystemResult("rag", 400, 0.65)
    result = compare(better, simpler, min_gain=0.05)
    error = math.sqrt(0.75 * 0.25 / 400 + 0.65 * 0.35 / 400)
    assert result.test == "two-proportion z-test"
    assert (result.low, result.high) == pytest.approx(
        (0.1 - 1.96 * error, 0.1 + 1.96 * error), abs=1e-4
    )
    assert result.p_value == pytest.approx(2 * (1 - NormalDist().cdf(0.1 / error)), abs=1e-6)


def test_items_needed_is_the_textbook_sample_size():
    # (1.96 + 0.8416)^2 * (0.5*0.5 + 0.55*0.45) / 0.05^2 = 1561.3 -> 1562 per system.
    assert items_needed(0.05) == 1562
    assert items_needed(0.10) < items_needed(0.05)
    assert items_needed(0.05, baseline=0.9) < items_needed(0.05)
    assert stats.paired_items_needed(0.3, 0.05) == math.ceil((2.8016 * 0.3 / 0.05) ** 2)


# --- what the evidence decides -------------------------------------------------------------


def assessed(answers, data, **options):
    d = decision(**answers)
    return d, assess(parse(data), d, **options)


def test_a_small_gain_does_not_justify_fine_tuning():
    d, result = assessed(HYBRID, paired({"rag": 160, "fine-tuned+rag": 166}))
    assert d.recommendation == "hybrid"
    assert (result.verdict, result.recommendation, result.chosen) == ("changes", "rag", "rag")
    assert result.comparisons[0].outcome == "not enough"
    assert any("less than the 0.05 minimum gain" in r for r in result.reasons)
    _, same = assessed(RAG, paired({"rag": 160, "fine-tuned+rag": 166}))
    assert (same.verdict, same.recommendation) == ("supports", "rag")


def test_a_large_significant_gain_chooses_hybrid():
    d, result = assessed(RAG, paired({"base": 100, "rag": 140, "fine-tuned+rag": 170}))
    assert d.recommendation == "rag"
    assert (result.verdict, result.recommendation) == ("changes", "hybrid")
    comparison = result.comparisons[0]
    assert comparison.test == "paired t-test" and comparison.outcome == "wins"
    assert comparison.low > 0 and comparison.p_value < 0.05
    assert result.confidence == ev.CLEAR_CONFIDENCE


def test_too_few_items_is_inconclusive_with_an_item_estimate():
    data = document(
        system("rag", 0.6, items=30), system("fine-tuned+rag", 0.7, items=30), eval_items=30
    )
    d, result = assessed(RAG, data)
    assert result.verdict == "inconclusive"
    assert result.recommendation == d.recommendation == "rag"
    assert result.comparisons[0].outcome == "unclear"
    assert result.items_needed == items_needed(0.05, baseline=0.6) > 30
    assert any(f"about {result.items_needed:,} items per system" in r for r in result.reasons)
    assert result.confidence <= ev.INCONCLUSIVE_CEILING


def test_the_same_gain_on_enough_items_is_clear():
    data = document(system("rag", 0.6, items=2000), system("fine-tuned+rag", 0.7, items=2000))
    _, result = assessed(RAG, data)
    assert (result.verdict, result.recommendation) == ("changes", "hybrid")


def test_citations_exclude_a_high_scoring_system_without_retrieval():
    answers = {**FINE_TUNE, "citations": True}
    _, result = assessed(answers, paired({"rag": 160, "fine-tuned": 190, "fine-tuned+rag": 164}))
    fine_tuned = next(m for m in result.systems if m.result.system == "fine-tuned")
    assert not fine_tuned.eligible
    assert "answers must cite their sources" in fine_tuned.excluded_because[0]
    assert result.recommendation == "rag" and result.chosen == "rag"


def test_fast_changing_facts_exclude_a_high_scoring_system_without_retrieval():
    answers = {**FINE_TUNE, "volatility": "weekly"}
    _, result = assessed(answers, paired({"rag": 160, "fine-tuned": 190, "fine-tuned+rag": 164}))
    fine_tuned = next(m for m in result.systems if m.result.system == "fine-tuned")
    assert not fine_tuned.eligible and "the facts change weekly" in fine_tuned.excluded_because[0]
    assert result.recommendation == "rag"


def test_without_a_retrieval_requirement_the_fine_tuned_system_may_win():
    _, result = assessed(FINE_TUNE, paired({"rag": 160, "fine-tuned": 190, "fine-tuned+rag": 192}))
    assert (result.verdict, result.recommendation, result.chosen) == (
        "supports",
        "fine-tune",
        "fine-tuned",
    )
    assert [c.outcome for c in result.comparisons] == ["wins", "not enough"]


def test_measured_latency_over_the_budget_excludes_a_system():
    answers = {**RAG, "latency_ms": 1000}
    data = paired(
        {"rag": 140, "fine-tuned+rag": 190},
        measured={"rag": {"latency_p95_ms": 800}, "fine-tuned+rag": {"latency_p95_ms": 1500}},
    )
    _, result = assessed(answers, data)
    hybrid = next(m for m in result.systems if m.result.system == "fine-tuned+rag")
    assert hybrid.excluded_because == ("its measured p95 of 1,500 ms exceeds the 1,000 ms budget",)
    assert (result.verdict, result.recommendation) == ("supports", "rag")


@pytest.mark.parametrize(
    ("output_format", "excluded"), [("schema", True), ("strict", True), ("light", False)]
)
def test_format_validity_under_the_floor_excludes_a_system_when_the_format_matters(
    output_format, excluded
):
    answers = {**RAG, "format": output_format}
    data = paired(
        {"rag": 140, "fine-tuned+rag": 190},
        measured={"rag": {"format_valid_rate": 0.99}, "fine-tuned+rag": {"format_valid_rate": 0.9}},
    )
    _, result = assessed(answers, data)
    hybrid = next(m for m in result.systems if m.result.system == "fine-tuned+rag")
    assert hybrid.eligible is not excluded
    assert (result.recommendation == "hybrid") is not excluded
    if excluded:
        assert "90.0% of its answers are valid, under the 95% floor" in hybrid.excluded_because[0]


def test_the_format_floor_is_configurable():
    answers = {**RAG, "format": "schema"}
    data = paired(
        {"rag": 140, "fine-tuned+rag": 190}, measured={"fine-tuned+rag": {"format_valid_rate": 0.9}}
    )
    _, result = assessed(answers, data, format_floor=0.85)
    assert result.recommendation == "hybrid"


def test_a_system_that_errored_on_every_item_is_not_eligible():
    data = document(system("rag", 0.8), system("fine-tuned+rag", 0.0, errors=200))
    _, result = assessed(RAG, data)
    hybrid = next(m for m in result.systems if m.result.system == "fine-tuned+rag")
    assert hybrid.excluded_because == ("it errored on all 200 items",)


def test_no_system_reaching_the_target_score_is_said_and_the_best_is_named():
    _, result = assessed(RAG, paired({"rag": 160, "fine-tuned+rag": 164}), target_score=0.9)
    assert result.target_met is False
    assert any(
        "No eligible system reaches the target score of 0.90: the best eligible, "
        "fine-tuned+rag, scores 0.82" in r
        for r in result.reasons
    )
    assert result.recommendation == "rag"
    _, reached = assessed(RAG, paired({"rag": 160, "fine-tuned+rag": 164}), target_score=0.8)
    assert reached.target_met is True
    assert not any("target score" in r for r in reached.reasons)


def test_the_target_counts_only_eligible_systems():
    answers = {**RAG, "latency_ms": 1000}
    data = document(system("rag", 0.7), system("fine-tuned+rag", 0.95, latency_p95_ms=2000))
    _, result = assessed(answers, data, target_score=0.9)
    assert result.target_met is False


def test_no_eligible_system_leaves_the_questionnaire_standing():
    answers = {**RAG, "citations": True}
    _, result = assessed(answers, document(system("base", 0.9), system("fine-tuned", 0.95)))
    assert (result.verdict, result.recommendation, result.chosen) == ("inconclusive", "rag", None)


def test_an_unmeasured_recommendation_is_not_overturned():
    _, result = assessed(HYBRID, paired({"rag": 160, "base": 100}))
    assert (result.verdict, result.recommendation) == ("inconclusive", "hybrid")
    assert any("fine-tuned+rag was not measured" in r for r in result.reasons)


def test_the_minimum_gain_is_configurable():
    data = paired({"rag": 1600, "fine-tuned+rag": 1660}, items=2000)
    _, default = assessed(RAG, data)
    _, lower = assessed(RAG, data, min_gain=0.02)
    assert default.recommendation == "rag" and lower.recommendation == "hybrid"


def test_confidence_reflects_the_evidence():
    _, clear_stay = assessed(HYBRID, paired({"rag": 1600, "fine-tuned+rag": 1610}, items=2000))
    assert clear_stay.comparisons[0].high < 0.05
    assert clear_stay.confidence == ev.CLEAR_CONFIDENCE
    _, open_stay = assessed(HYBRID, paired({"rag": 60, "fine-tuned+rag": 63}, items=100))
    assert open_stay.comparisons[0].outcome == "not enough"
    assert open_stay.comparisons[0].high >= 0.05
    assert open_stay.confidence == ev.OPEN_CONFIDENCE
    d, supported = assessed(RAG, paired({"rag": 1600, "fine-tuned+rag": 1610}, items=2000))
    assert supported.confidence == max(d.confidence, ev.CLEAR_CONFIDENCE)


def test_apply_gives_the_final_recommendation_and_its_approaches():
    d, result = assessed(RAG, paired({"rag": 140, "fine-tuned+rag": 170}))
    final = ev.apply(d, result)
    assert (final.recommendation, final.approaches) == ("hybrid", ("rag", "fine-tune"))
    assert final.confidence == result.confidence and final.variant is None
    assert final.reasons == d.reasons


def test_assessment_json_has_the_verdict_systems_and_reasons():
    _, result = assessed(RAG, paired({"rag": 140, "fine-tuned+rag": 170}))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verdict"] == "changes" and data["questionnaire_recommendation"] == "rag"
    assert [s["system"] for s in data["systems"]] == ["rag", "fine-tuned+rag"]
    assert data["systems"][1]["interval_95"][0] < 0.85 < data["systems"][1]["interval_95"][1]
    assert data["comparisons"][0]["test"] == "paired t-test"
    assert data["reasons"]


def test_an_inconclusive_verdict_chooses_no_system():
    data = document(system("rag", 0.6, items=30), system("fine-tuned+rag", 0.7, items=30))
    _, result = assessed(HYBRID, data)
    assert (result.verdict, result.recommendation, result.chosen) == (
        "inconclusive",
        "hybrid",
        None,
    )


# --- properties ----------------------------------------------------------------------------


measurements = st.fixed_dictionaries(
    {"score": st.floats(0, 1), "items": st.integers(1, 5000)},
    optional={
        "latency_p95_ms": st.floats(0, 10_000),
        "format_valid_rate": st.floats(0, 1),
        "errors": st.integers(0, 1),
    },
)


@given(
    answers=st.sampled_from(
        [
            RAG,
            HYBRID,
            FINE_TUNE,
            {**RAG, "citations": True},
            {**FINE_TUNE, "format": "schema", "latency_ms": 800},
        ]
    ),
    systems=st.dictionaries(st.sampled_from(ev.SYSTEMS), measurements, min_size=1),
    min_gain=st.floats(0.001, 1),
)
def test_any_valid_evidence_gives_a_consistent_verdict(answers, systems, min_gain):
    data = document(*(system(name, **m) for name, m in systems.items()))
    d, result = assessed(answers, data, min_gain=min_gain)
    assert result.recommendation in RECOMMENDATIONS
    assert 0 <= result.confidence <= 1
    eligible = {m.result.system for m in result.systems if m.eligible}
    if result.verdict == "inconclusive":
        assert result.recommendation == d.recommendation and result.chosen is None
    else:
        assert result.chosen in eligible
        assert result.recommendation == ev.APPROACH[result.chosen]
        assert (result.verdict == "supports") == (result.recommendation == d.recommendation)
    for m in result.systems:
        assert m.low <= m.result.score <= m.high or m.result.item_scores
