"""`advisor decide` in Korean: every reason and warning read in Korean, machine output unchanged.

JSON carries the reasons' and warnings' text in English in every language (docs/i18n.md,
"Decision records in Korean"): scripts that compare records must not depend on who ran
them. The text, Markdown and HTML records are read in the chosen language.
"""

from __future__ import annotations

import json
import pickle
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from advisor import i18n
from advisor.cli import cli
from advisor.framework import decide
from advisor.messages import Message, localize
from advisor.questionnaire import Answers
from advisor.reports import render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples/answers").glob("*.*"))
BASE = {"volatility": "static", "format": "none", "latency_ms": 3000, "budget_usd": 5000}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CATALOG = ROOT / "src/advisor/locale/ko/LC_MESSAGES/advisor.po"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["decide", *args])
    assert result.exit_code == 0, result.output
    return result.output


def section(text: str, title: str) -> list[str]:
    """The indented lines under ``title`` in the text report, up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = lines.index("", start)
    return lines[start:end]


@pytest.mark.parametrize("answers", EXAMPLES, ids=lambda p: p.name)
def test_json_is_byte_identical_in_korean_and_english(answers):
    english = run("--answers", str(answers), "--format", "json", "--lang", "en")
    korean = run("--answers", str(answers), "--format", "json", "--lang", "ko")
    assert korean == english
    data = json.loads(korean)
    assert data["recommendation"] in ("rag", "fine-tune", "hybrid")
    assert not HANGUL.search(" ".join(r["text"] for r in data["reasons"] + data["warnings"]))


@pytest.mark.parametrize("answers", EXAMPLES, ids=lambda p: p.name)
def test_every_reason_and_warning_reads_in_korean(answers):
    text = run("--answers", str(answers), "--lang", "ko")
    data = json.loads(run("--answers", str(answers), "--format", "json", "--lang", "ko"))
    assert text.splitlines()[0].startswith(f"권장안: {data['recommendation']}")
    reasons = section(text, "근거:")
    assert [line.split("]")[0] for line in reasons] == [f"  - [{r['key']}" for r in data["reasons"]]
    warnings = section(text, "경고:") if data["warnings"] else []
    assert len(warnings) == len(data["warnings"])
    for line in reasons + warnings:
        assert HANGUL.search(line), line
    for title in ("결정이 바뀌는 조건:", "선택하지 않은 옵션:"):
        assert all(HANGUL.search(line) for line in section(text, title))
    costs = next(line for line in text.splitlines() if line.startswith("비용(USD"))
    lines = section(text, costs)
    summaries = [line for line in lines if line.startswith("  - ")] + lines[-1:]
    assert summaries and all(HANGUL.search(line) for line in summaries)  # break-evens, basis


def test_the_english_report_has_no_hangul():
    text = run("--answers", str(EXAMPLES[0]), "--lang", "en")
    assert text.startswith("Recommendation: ")
    assert not HANGUL.search(text)


def test_a_reason_is_english_text_that_translates_where_it_is_shown():
    decision = decide(Answers(**{**BASE, "documents": 20_000, "volatility": "weekly"}))
    reason = next(r for r in decision.reasons if r.key == "volatility")
    assert isinstance(reason.text, Message)
    assert reason.text.startswith("Facts change weekly:")
    assert json.loads(json.dumps(reason.to_dict()))["text"] == str.__str__(reason.text)
    i18n.activate("ko")
    assert localize(reason.text).startswith("지식이 매주 바뀝니다")
    assert reason.text.startswith("Facts change weekly:")  # still English as a value
    copy = pickle.loads(pickle.dumps(reason.text))
    assert copy == reason.text and localize(copy) == localize(reason.text)
    i18n.activate("en")
    assert localize(reason.text) == reason.text


def test_plugin_reasons_in_plain_text_are_shown_as_they_are():
    assert localize("a plugin's own sentence") == "a plugin's own sentence"


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_the_markdown_and_html_records_are_korean(fmt):
    i18n.activate("ko")
    answers = Answers(**{**BASE, "documents": 20, "citations": True})
    page = render(decide(answers), fmt)
    title = "의사결정 기록: 이 LLM 프로젝트에 rag (롱 컨텍스트, 벡터 데이터베이스 불필요) 채택"
    assert title in page
    assert "다시 검토하는 방법" in page and "선택하지 않은 옵션" in page
    for english in (
        "Decision record",
        "How to revisit",
        "Not chosen",
        "Consequences",
        "Nothing measured yet",
    ):
        assert english not in page, english
    assert "롱 컨텍스트, 벡터 데이터베이스 불필요" in page  # the variant, translated
    if fmt == "html":
        assert page.startswith('<!DOCTYPE html>\n<html lang="ko">')
        assert '"Noto Sans CJK KR"' in page and "&#34;" not in page.split("</style>")[0]


def test_the_html_record_names_its_language():
    page = render(decide(Answers(**{**BASE, "documents": 20})), "html")
    assert '<html lang="en">' in page


def columns(text: str) -> int:
    """Terminal columns of ``text``, counted here (not with the code under test)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_korean_table_columns_line_up_in_a_terminal():
    text = run("--answers", str(EXAMPLES[0]), "--lang", "ko")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("비용(USD")) + 1
    assert HANGUL.search(lines[header])
    # The header's last column (Korean, two terminal columns a character) ends where each
    # row's total does: the rows are ASCII up to there, so their length is their width.
    cut = columns(lines[header])
    for row in lines[header + 1 : header + 4]:
        if re.match(r"  [* ] \S", row):
            assert re.search(r"\$[\d,]+$", row[:cut]), row
            assert len(row) == cut or row[cut] == " ", row


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[a-z_0-9]*(?::[^{}]*)?\}|%\([a-z_]+\)s|%%", text))


def test_every_translation_keeps_the_placeholders_of_its_message():
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        source_id = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholders(source_id))
        wrong += [(source_id, s) for s in strings if set(placeholders(s)) != wanted]
    assert wrong == []


def test_the_measured_section_reads_in_korean_and_its_json_stays_english(tmp_path):
    from evidence_docs import document, system, write

    evidence = write(
        tmp_path / "results.json",
        document(
            systems=[
                system("base", 0.5),
                system("rag", 0.72),
                system("fine-tuned", 0.6),
                system("fine-tuned+rag", 0.78, latency_p95_ms=9000),
            ]
        ),
    )
    args = ("--answers", str(EXAMPLES[1]), "--evidence", str(evidence))
    text = run(*args, "--lang", "ko")
    measured = section(
        text, next(line for line in text.splitlines() if line.startswith("측정 결과("))
    )
    reasons = [line for line in measured if line.startswith("  - ")]
    assert len(reasons) >= 2 and all(HANGUL.search(line) for line in reasons)
    english = run(*args, "--format", "json", "--lang", "en")
    assert run(*args, "--format", "json", "--lang", "ko") == english
    assert "is not eligible" in json.loads(english)["evidence"]["reasons"][0]


def test_compare_reads_in_korean_and_its_json_stays_english():
    files = [str(EXAMPLES[3]), str(EXAMPLES[1])]
    text = CliRunner().invoke(cli, ["decide", "--compare", *files, "--lang", "ko"]).output
    assert "서로 다른 답변:" in text and "예산 이내" in text
    json_args = ["decide", "--compare", *files, "--format", "json"]
    english = CliRunner().invoke(cli, [*json_args, "--lang", "en"]).output
    assert CliRunner().invoke(cli, [*json_args, "--lang", "ko"]).output == english
    page = (
        CliRunner()
        .invoke(cli, ["decide", "--compare", *files, "--format", "html", "--lang", "ko"])
        .output
    )
    assert '<html lang="ko">' in page and "시나리오 비교" in page


def test_the_record_follows_the_language_of_each_render():
    """The report environment is cached: its templates must ask the language in use."""
    answers = Answers(**{**BASE, "documents": 20})
    assert "## How to revisit" in render(decide(answers), "markdown")
    i18n.activate("ko")
    assert "## 다시 검토하는 방법" in render(decide(answers), "markdown")
    i18n.activate("en")
    assert "## How to revisit" in render(decide(answers), "markdown")


def test_decide_tells_the_next_step_in_korean(tmp_path):
    saved = tmp_path / "answers.yaml"
    result = CliRunner().invoke(
        cli,
        [
            "decide",
            "--answers",
            str(EXAMPLES[0]),
            "--format",
            "json",
            "--save-answers",
            str(saved),
            "--lang",
            "ko",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"답변을 {saved}에 저장했습니다" in result.stderr
    assert "다음 단계: advisor scaffold DIR --answers" in result.stderr
    assert saved.read_text("utf-8").isascii()  # the answers file keeps English keys/values
