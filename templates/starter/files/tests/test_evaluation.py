"""Tests of the evaluation runner and the ``evaluate`` command every backend relies on."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }} import cli
from {{ package }}.evaluation import (
    EvalItem,
    EvaluationError,
    Prediction,
    contains,
    evidence,
    exact_match,
    f1,
    format_table,
    load_eval_set,
    load_systems,
    normalize,
    retrieval_hit,
    run,
    tokens,
    write_evidence,
)

EVAL_SET = Path(__file__).parents[1] / "evals" / "eval.jsonl"

ITEMS = [
    EvalItem("dm", "First-line drug for type 2 diabetes?", "metformin", ("diabetes.md",)),
    EvalItem("ko", "권장 나트륨 섭취량은?", "2,000 mg 미만", ("hypertension-ko.md",)),
    EvalItem("flu", "How often is the flu shot?", "every year", ("vaccination.md",)),
]


def test_normalize_folds_case_punctuation_separators_and_articles():
    assert normalize("The  Answer: METFORMIN!") == "answer metformin"
    assert normalize("less than 2,000 mg") == normalize("less than 2000 mg")
    assert normalize("below 7.5%") == "below 7.5"


def test_exact_match_ignores_form_not_content():
    assert exact_match("Metformin.", "metformin") == 1.0
    # An en dash and a hyphen are both punctuation.
    assert exact_match("130\u2013139/80\u201389 mmHg", "130-139/80-89 mmHg") == 1.0
    assert exact_match("insulin", "metformin") == 0.0


def test_contains_matches_whole_tokens_in_order():
    assert contains("The usual first-line drug is metformin.", "metformin") == 1.0
    assert contains("every 3 to 6 months", "3 to 6 months") == 1.0
    assert contains("17 days", "7 days") == 0.0
    assert contains("months 6 to 3", "3 to 6 months") == 0.0


def test_f1_scores_partial_english_answers():
    assert f1("less than 2,000 mg per day", "less than 2000 mg") == pytest.approx(0.8)
    assert f1("metformin", "metformin") == 1.0
    assert f1("insulin", "metformin") == 0.0
    assert f1("", "metformin") == 0.0


def test_korean_is_compared_character_by_character():
    assert tokens("2,000 mg 미만") == ["2000", "mg", "미", "만"]
    # "미만으로" carries a particle; word-level F1 would miss the match entirely.
    prediction = "하루 2,000 mg 미만으로 제한합니다"
    assert f1(prediction, "2,000 mg 미만") == pytest.approx(8 / 17)
    assert contains(prediction, "2,000 mg 미만") == 1.0
    # precision 2/5, recall 2/4
    assert f1("130/80 mmHg 미만", "2,000 mg 미만") == pytest.approx(4 / 9)


def test_the_shipped_evaluation_set_loads():
    items = load_eval_set(EVAL_SET)
    assert len(items) >= 10
    assert len({item.id for item in items}) == len(items)
    assert all(item.sources for item in items)
    assert any(tokens(item.answer) != item.answer.split() for item in items)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "question": "q", "answer": "x"}\n{oops\n', "line 2: not valid JSON"),
        ('{"id": "a", "question": "q"}\n', "line 1: 'answer' must be a non-empty string"),
        ('{"id": "a", "question": "q", "answer": "x", "sources": "a.md"}\n', "'sources'"),
        ('{"id": "a", "question": "q", "answer": "x"}\n' * 2, "line 2: id 'a' is used twice"),
        ("\n\n", "the evaluation set is empty"),
        ("[1, 2]\n", "line 1: expected a JSON object"),
    ],
)
def test_a_broken_evaluation_set_is_reported_with_its_line(tmp_path, content, message):
    path = tmp_path / "eval.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationError, match=message):
        load_eval_set(path)


def perfect(question: str) -> Prediction:
    item = next(i for i in ITEMS if i.question == question)
    return Prediction(item.answer, [f"data/corpus/{item.sources[0]}"])


def clueless(question: str) -> Prediction:
    return Prediction("I do not know")


def flaky(question: str) -> Prediction:
    if "flu" in question:
        raise ConnectionError("server went away")
    return Prediction("metformin", ["unrelated.md"])


def ticking_clock():
    ticks = iter(range(1000))
    return lambda: next(ticks) / 100  # every call 10 ms later


def test_run_scores_every_system_and_survives_a_failing_question():
    report = run(
        {"perfect": perfect, "clueless": clueless, "flaky": flaky},
        ITEMS,
        scorer="f1",
        clock=ticking_clock(),
    )
    by_name = {s.system: s for s in report.summaries}
    assert by_name["perfect"].exact == 1.0
    assert by_name["perfect"].hit_rate == 1.0
    assert by_name["clueless"].score == 0.0
    assert by_name["clueless"].hit_rate is None
    assert by_name["flaky"].errors == 1
    assert by_name["flaky"].exact == pytest.approx(1 / 3)
    assert by_name["flaky"].hit_rate == 0.0
    assert by_name["perfect"].latency_p95_ms == pytest.approx(10.0)
    failed = [r for r in report.results if r.error]
    assert [(r.system, r.id) for r in failed] == [("flaky", "flu")]
    assert "ConnectionError: server went away" in failed[0].error
    assert len(report.results) == 9


def test_a_system_returning_the_wrong_type_is_an_item_error():
    report = run({"bad": lambda question: "metformin"}, ITEMS[:1])
    assert report.results[0].error == "TypeError: returned str, not a Prediction"
    assert report.summaries[0].exact == 0.0


def test_retrieval_hit_compares_file_names():
    item = ITEMS[0]
    assert retrieval_hit(item, Prediction("x", ["corpus/diabetes.md"])) is True
    assert retrieval_hit(item, Prediction("x", ["corpus/vaccination.md"])) is False
    assert retrieval_hit(item, Prediction("x")) is None


def test_table_and_evidence_file(tmp_path):
    report = run({"perfect": perfect, "clueless": clueless}, ITEMS, scorer="contains")
    table = format_table(report).splitlines()
    assert table[0].split() == [
        "system", "items", "exact", "contains", "hit", "rate", "errors", "p95", "ms", "$/1k"
    ]
    assert table[1].split()[:5] == ["perfect", "3", "1.00", "1.00", "1.00"]
    assert table[2].split()[:5] == ["clueless", "3", "0.00", "0.00", "-"]
    out = tmp_path / "evals" / "results.json"
    write_evidence(evidence(report, "sample"), out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scorer"] == "contains"
    assert [s["system"] for s in data["systems"]] == ["perfect", "clueless"]
    assert "미만" in out.read_text(encoding="utf-8")
    assert {item["id"] for item in data["items"]} == {"dm", "ko", "flu"}
    assert [p.name for p in out.parent.iterdir()] == ["results.json"], "no partial file left"


def fake_module(monkeypatch, name: str, systems: dict) -> str:
    module = types.ModuleType(f"{cli.__package__}.{name}")
    module.systems = lambda: systems
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return name


def test_load_systems_keeps_both_of_two_same_named_systems(monkeypatch):
    first = fake_module(monkeypatch, "fake_first", {"base": perfect})
    second = fake_module(monkeypatch, "fake_second", {"base": clueless, "other": flaky})
    found = load_systems([first, second], cli.__package__)
    assert found == {"base": perfect, "base (fake_second)": clueless, "other": flaky}


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_evaluate_prints_the_table_and_writes_results(monkeypatch, tmp_path):
    module = fake_module(monkeypatch, "fake_systems", {"perfect": perfect, "clueless": clueless})
    monkeypatch.setattr(cli, "EVAL_SYSTEM_MODULES", (module,))
    eval_set = tmp_path / "eval.jsonl"
    eval_set.write_text(
        "\n".join(json.dumps(i.__dict__ | {"sources": list(i.sources)}) for i in ITEMS),
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    result = invoke("evaluate", "--eval-set", str(eval_set), "--output", str(out))
    assert "Results (advisor.evidence/1): " in result.output
    assert result.exit_code == 0, result.output
    assert "perfect" in result.output and "clueless" in result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["items"]) == 6

    result = invoke("evaluate", "--eval-set", str(eval_set), "-o", str(out), "--system", "clueless")
    assert result.exit_code == 0, result.output
    assert [s["system"] for s in json.loads(out.read_text(encoding="utf-8"))["systems"]] == [
        "clueless"
    ]


def test_evaluate_refuses_bad_input(monkeypatch, tmp_path):
    module = fake_module(monkeypatch, "fake_systems", {"perfect": perfect})
    monkeypatch.setattr(cli, "EVAL_SYSTEM_MODULES", (module,))
    result = invoke("evaluate", "--eval-set", str(EVAL_SET), "--system", "nope")
    assert result.exit_code == 2
    assert "--system 'nope': unknown system (available: perfect)" in result.output

    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    result = invoke("evaluate", "--eval-set", str(broken))
    assert result.exit_code == 2
    assert "line 1: not valid JSON" in result.output


def test_evaluate_without_systems_says_so(monkeypatch):
    monkeypatch.setattr(cli, "EVAL_SYSTEM_MODULES", ())
    result = invoke("evaluate", "--eval-set", str(EVAL_SET))
    assert result.exit_code == 1
    assert "no system to evaluate" in result.output


def test_the_command_line_lists_evaluate_and_its_version():
    assert "evaluate" in invoke("--help").output
    assert "0.1.0" in invoke("--version").output
