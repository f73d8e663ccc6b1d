"""`advisor decide --evidence FILE` from the outside: every format, merging, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from evidence_docs import HYBRID, RAG, binary_items, document, paired, system, write

from advisor import evidence as ev
from advisor.cli import cli

LARGE_GAIN = {"base": 100, "rag": 140, "fine-tuned+rag": 170}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return write(tmp_path / "answers.json", {**RAG, "queries_per_month": 10_000})


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return write(tmp_path / "results.json", paired(LARGE_GAIN))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# --- every format --------------------------------------------------------------------------


def test_json_carries_the_evidence_block_and_keeps_the_questionnaires_answer(answers, results):
    result = run(
        "decide", "--answers", str(answers), "--evidence", str(results), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["recommendation"] == "hybrid"
    assert data["questionnaire_recommendation"] == "rag"
    assert data["confidence"] == ev.CLEAR_CONFIDENCE
    block = data["evidence"]
    assert block["verdict"] == "changes"
    assert {s["system"]: s["eligible"] for s in block["systems"]} == {
        "base": False,
        "rag": True,
        "fine-tuned+rag": True,
    }
    assert block["reasons"] and block["comparisons"][0]["outcome"] == "wins"


def test_json_without_a_change_has_no_second_recommendation(answers, tmp_path):
    results = write(tmp_path / "r.json", paired({"rag": 160, "fine-tuned+rag": 162}))
    data = json.loads(
        run(
            "decide", "--answers", str(answers), "--evidence", str(results), "--format", "json"
        ).output
    )
    assert data["evidence"]["verdict"] == "supports"
    assert "questionnaire_recommendation" not in data


def test_text_shows_the_measured_table_and_what_changed(answers, results):
    result = run("decide", "--answers", str(answers), "--evidence", str(results))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Recommendation: hybrid  (confidence 0.90)")
    assert f"Measured (eval set support-faq, scorer exact; {results}):" in out
    assert "The measurements change the questionnaire's rag to hybrid." in out
    row = next(line for line in out.splitlines() if "fine-tuned+rag  0.850" in line)
    assert row.lstrip().startswith("*") and "0.800-0.900" in row and row.endswith("chosen")
    assert "paired t-test" in out


def test_markdown_and_html_have_a_measured_section(answers, tmp_path):
    data = paired(LARGE_GAIN, measured={"rag": {"latency_p95_ms": 850, "cost_per_1k_usd": 2.1}})
    results = write(tmp_path / "r.json", data)
    markdown = run(
        "decide", "--answers", str(answers), "--evidence", str(results), "--format", "markdown"
    ).output
    section = markdown.split("## Measured", 1)[1].split("\n## ", 1)[0]
    assert (
        "| rag | 0.700 | 0.636-0.764 | 200 (per item) | 850 ms | $2.10 | - | eligible |" in section
    )
    assert "**fine-tuned+rag** (chosen)" in section
    assert "change the questionnaire's rag to hybrid" in section
    html = run(
        "decide", "--answers", str(answers), "--evidence", str(results), "--format", "html"
    ).output
    assert '<h2 id="measured">Measured</h2>' in html
    assert '<table id="measured-table">' in html and "850 ms" in html
    assert html.index('id="measured"') < html.index('id="costs"')


def test_excluded_systems_show_why_in_every_format(tmp_path):
    answers = write(tmp_path / "a.json", {**RAG, "citations": True})
    results = write(
        tmp_path / "r.json", paired({"rag": 150, "fine-tuned": 190, "fine-tuned+rag": 152})
    )
    for fmt in ("text", "markdown", "html"):
        out = run(
            "decide", "--answers", str(answers), "--evidence", str(results), "--format", fmt
        ).output
        assert "fine-tuned is not eligible: it has no retrieval, and" in out, fmt
        assert "answers must cite their sources" in out, fmt


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_without_evidence_the_record_says_how_many_items_to_measure(answers, fmt):
    out = run("decide", "--answers", str(answers), "--format", fmt).output
    assert "1,562" in out and "evidence" in out
    assert "Measured" in out


def test_without_evidence_json_is_unchanged(answers):
    data = json.loads(run("decide", "--answers", str(answers), "--format", "json").output)
    assert "evidence" not in data and "questionnaire_recommendation" not in data


# --- merging, options, target_score ------------------------------------------------------


def test_files_merge_by_system_and_the_later_wins(answers, tmp_path):
    first = write(tmp_path / "first.json", paired({"rag": 140, "fine-tuned+rag": 141}))
    rerun = write(
        tmp_path / "rerun.json",
        document(system("fine-tuned+rag", 0.85), items=binary_items("fine-tuned+rag", 170)),
    )
    args = ["decide", "--answers", str(answers), "--format", "json"]
    alone = json.loads(run(*args, "--evidence", str(first)).output)
    merged = json.loads(run(*args, "--evidence", str(first), "--evidence", str(rerun)).output)
    assert alone["recommendation"] == "rag" and merged["recommendation"] == "hybrid"
    sources = {s["system"]: s["source"] for s in merged["evidence"]["systems"]}
    assert sources == {"rag": str(first), "fine-tuned+rag": str(rerun)}


def test_min_gain_option(answers, tmp_path):
    results = write(tmp_path / "r.json", paired({"rag": 1600, "fine-tuned+rag": 1660}, 2000))
    args = ["decide", "--answers", str(answers), "--evidence", str(results), "--format", "json"]
    assert json.loads(run(*args).output)["recommendation"] == "rag"
    lower = json.loads(run(*args, "--min-gain", "0.02").output)
    assert lower["recommendation"] == "hybrid" and lower["evidence"]["min_gain"] == 0.02


def test_evidence_options_need_evidence(answers):
    assert_one_line_error(
        run("decide", "--answers", str(answers), "--min-gain", "0.1"), "--evidence FILE"
    )


def test_target_score_from_the_answers_file(tmp_path, results):
    answers = write(tmp_path / "a.yaml", {**RAG, "target_score": 0.9})
    data = json.loads(
        run(
            "decide", "--answers", str(answers), "--evidence", str(results), "--format", "json"
        ).output
    )
    assert data["evidence"]["target_score"] == 0.9 and data["evidence"]["target_met"] is False
    assert any(
        "No eligible system reaches the target score of 0.90" in r
        for r in data["evidence"]["reasons"]
    )
    assert "target_score" not in data["answers"]


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_target_score_outside_zero_to_one_is_refused(answers, results, value):
    result = run(
        "decide",
        "--answers",
        str(answers),
        "--evidence",
        str(results),
        "--set",
        f"target_score={value}",
    )
    assert_one_line_error(result, "target_score", "from 0 to 1")


def test_target_score_is_never_prompted(tmp_path, monkeypatch):
    monkeypatch.setattr("advisor.questionnaire.can_prompt", lambda: True)  # as at a terminal
    typed = "\n".join(["yearly", "light", "3000", "20000", "", "", "", "500"]) + "\n"
    result = run("decide", input=typed + "-\n")  # "-": do not save the answers
    assert result.exit_code == 0, result.output
    assert "target_score" not in result.output
    saved = tmp_path / "saved.yaml"
    run("decide", "--save-answers", str(saved), input=typed)
    assert "target_score" not in yaml.safe_load(saved.read_text())


def test_target_score_is_listed_and_an_answers_file_with_it_scaffolds(tmp_path):
    listing = json.loads(run("questions", "--format", "json").output)
    assert any(q["key"] == "target_score" and not q["required"] for q in listing)
    answers = write(tmp_path / "a.yaml", {**HYBRID, "target_score": 0.8})
    result = run("scaffold", str(tmp_path / "bot"), "--answers", str(answers), "--dry-run")
    assert result.exit_code == 0, result.output


# --- bad evidence --------------------------------------------------------------------------


BAD = {
    "unknown-schema": (
        {**document(system("rag", 0.8)), "schema": "advisor.results/1"},
        ['schema: "advisor.results/1"', "allowed: advisor.evidence/1"],
    ),
    "score-above-1": (document(system("rag", 1.3)), ["systems[0]: score: 1.3", "from 0 to 1"]),
    "score-below-0": (document(system("rag", -0.2)), ["systems[0]: score: -0.2"]),
    "items-0": (document(system("rag", 0.8, items=0)), ["systems[0]: items: 0", ">= 1"]),
    "unknown-system": (document(system("gpt-5", 0.8)), ['"gpt-5" is not a known system']),
    "eval-set-items-0": (document(system("rag", 0.8), eval_items=0), ["eval_set: items: 0"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_evidence_is_one_line_exit_2_and_nothing_written(tmp_path, answers, name):
    data, fragments = BAD[name]
    bad = write(tmp_path / "bad.json", data)
    assert_bad_and_nothing_written(tmp_path, answers, bad, [str(bad), *fragments])


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"system,score\nrag,0.8\n", "not JSON (line 1"),
        (b"\x89PNG\r\n\x1a\n", "not UTF-8"),
        (b"", "not JSON"),
    ],
    ids=["csv", "binary", "empty"],
)
def test_a_file_that_is_not_json_is_refused(tmp_path, answers, raw, fragment):
    bad = tmp_path / "results.json"
    bad.write_bytes(raw)
    assert_bad_and_nothing_written(tmp_path, answers, bad, [fragment])


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path, answers):
    bad = tmp_path / "huge.json"
    with bad.open("wb") as handle:
        handle.write(b'{"schema": "advisor.evidence/1", "pad": "')
        handle.truncate(ev.MAX_EVIDENCE_BYTES + 10)
    assert_bad_and_nothing_written(
        tmp_path, answers, bad, [str(bad), f"over {ev.MAX_EVIDENCE_BYTES} bytes"]
    )


def test_a_missing_file_or_a_folder_is_refused(tmp_path, answers):
    assert_bad_and_nothing_written(tmp_path, answers, tmp_path / "nope.json", ["cannot read"])
    result = run("decide", "--answers", str(answers), "--evidence", str(tmp_path))
    assert result.exit_code == 2


def test_a_bad_second_file_fails_the_whole_run(tmp_path, answers, results):
    bad = write(tmp_path / "bad.json", document(system("rag", 2)))
    result = run(
        "decide", "--answers", str(answers), "--evidence", str(results), "--evidence", str(bad)
    )
    assert_one_line_error(result, str(bad))


def test_files_scored_differently_are_refused(tmp_path, answers, results):
    other = write(tmp_path / "f1.json", {**document(system("fine-tuned", 0.9)), "scorer": "f1"})
    result = run(
        "decide", "--answers", str(answers), "--evidence", str(results), "--evidence", str(other)
    )
    assert_one_line_error(result, "scorer: 'f1' differs from 'exact'")


def assert_bad_and_nothing_written(
    tmp_path: Path, answers: Path, bad: Path, fragments: list[str]
) -> None:
    report = tmp_path / "decision.md"
    report.write_text("the team's earlier record\n")
    saved = tmp_path / "saved.yaml"
    result = run(
        "decide",
        "--answers",
        str(answers),
        "--evidence",
        str(bad),
        "--format",
        "markdown",
        "-o",
        str(report),
        "--save-answers",
        str(saved),
    )
    assert_one_line_error(result, *fragments)
    assert report.read_text() == "the team's earlier record\n"
    assert not saved.exists()
    assert not (tmp_path / "decision-costs.svg").exists()


# --- the documentation ---------------------------------------------------------------------

DOCS = Path(__file__).parents[1] / "docs" / "evidence.md"
EXAMPLES = Path(__file__).parents[1] / "examples" / "answers"


def test_the_worked_example_in_the_docs_is_what_decide_prints(tmp_path):
    """docs/evidence.md shows a results file and the output; both must stay true."""
    worked = DOCS.read_text("utf-8").split("## A worked example", 1)[1]
    blocks = worked.split("```")
    results = write(tmp_path / "results.json", json.loads(blocks[1].removeprefix("json")))
    shown = [line for line in blocks[3].splitlines()[1:] if line.strip() and line != "..."]
    command = shown.pop(0).removeprefix("$ advisor ").split()
    command[command.index("examples/answers/medical-guidelines.yaml")] = str(
        EXAMPLES / "medical-guidelines.yaml"
    )
    command[command.index("results.json")] = str(results)
    out = run(*command).output.replace(str(results), "results.json")
    for line in shown:
        assert line in out.splitlines(), line
    target = run(*command, "--set", "target_score=0.85").output
    assert (
        "No eligible system reaches the target score of 0.85: the best eligible, "
        "fine-tuned+rag, scores 0.83." in target
    )
