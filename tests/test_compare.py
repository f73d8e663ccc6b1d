"""``advisor decide --compare``: scenarios side by side, the answers that differ named."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli

EXAMPLES = Path(__file__).parents[1] / "examples" / "answers"
MEDICAL = EXAMPLES / "medical-guidelines.yaml"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("ADVISOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def scenarios(tmp_path) -> tuple[Path, Path]:
    """Today's answers and the "what if we had 2,000 examples and no citations" one."""
    base = yaml.safe_load(MEDICAL.read_text("utf-8"))
    now = tmp_path / "now.yaml"
    now.write_text(yaml.safe_dump(base), encoding="utf-8")
    later = tmp_path / "later.yaml"
    later.write_text(
        yaml.safe_dump({**base, "examples": 2000, "citations": False, "format": "strict"}),
        encoding="utf-8",
    )
    return now, later


def compare(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["decide", "--compare", *args])
    assert result.exit_code == code, result.output
    return result.output


def single(path: Path) -> dict:
    result = CliRunner().invoke(cli, ["decide", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_has_each_scenario_as_decide_gives_it(scenarios):
    data = json.loads(compare(*map(str, scenarios), "--format", "json"))
    assert [s["name"] for s in data["scenarios"]] == ["now", "later"]
    assert data["differing_answers"] == {
        "format": {"now": "light", "later": "strict"},
        "examples": {"now": 300, "later": 2000},
        "citations": {"now": True, "later": False},
    }
    for scenario, path in zip(data["scenarios"], scenarios, strict=True):
        alone = single(path)
        assert scenario["recommendation"] == alone["recommendation"]
        assert scenario["confidence"] == alone["confidence"]
        assert scenario["reasons"] == [r["key"] for r in alone["reasons"]]
        option = alone["costs"]["options"][alone["recommendation"]]
        assert scenario["costs"]["total_horizon_usd"] == option["total_horizon_usd"]
        assert scenario["costs"]["range_horizon_usd"] == option["range_horizon_usd"]
    assert [s["recommendation"] for s in data["scenarios"]] == ["rag", "hybrid"]


def test_text_table_names_what_differs(scenarios):
    out = compare(*map(str, scenarios))
    lines = out.splitlines()
    assert lines[0].split() == ["now", "later"]
    rows = {line.split("  ")[0]: line.split()[-1] for line in lines[2:] if line.strip()}
    assert rows["examples (answer)"] == "2,000"
    assert rows["recommendation"] == "hybrid"
    assert "Answers that differ: format, examples, citations." in out
    assert not any(line.startswith(("volatility", "documents")) for line in lines)


def test_markdown_and_html_tables_have_a_column_per_scenario(scenarios):
    markdown = compare(*map(str, scenarios), "--format", "markdown")
    header = next(line for line in markdown.splitlines() if line.startswith("| |"))
    assert header == "| | now | later |"
    assert re.search(r"^\| recommendation \| rag \| hybrid \|$", markdown, re.M)
    page = compare(*map(str, scenarios), "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<th>now</th><th>later</th>" in page
    assert page.count('class="differs"') == 3


def test_set_applies_to_every_scenario(scenarios):
    data = json.loads(compare(*map(str, scenarios), "--set", "citations=true", "--format", "json"))
    assert "citations" not in data["differing_answers"]
    assert all(s["answers"]["citations"] is True for s in data["scenarios"])


def test_the_same_file_stem_twice_is_told_apart_by_path(tmp_path, scenarios):
    (tmp_path / "b").mkdir()
    other = tmp_path / "b" / "now.yaml"
    other.write_text(scenarios[0].read_text("utf-8"), encoding="utf-8")
    data = json.loads(compare(str(scenarios[0]), str(other), "--format", "json"))
    assert [s["name"] for s in data["scenarios"]] == [str(scenarios[0]), str(other)]
    assert data["differing_answers"] == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compare", "{now}"], "--compare: 1 answers file(s) given; it needs two or more"),
        (["{now}", "{later}"], "{now}: answers files as arguments need --compare"),
        (["--compare", "{now}", "{later}", "--answers", "{now}"], "--answers: not with"),
        (["--compare", "{now}", "{later}", "--decider", "Ana"], "--decider: not with"),
        (["--compare", "{now}", "{missing}"], "missing.yaml"),
        (["--compare", "{now}", "{bad}"], "examples"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, scenarios, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("examples: lots\n", encoding="utf-8")
    names = {
        "now": scenarios[0],
        "later": scenarios[1],
        "missing": tmp_path / "missing.yaml",
        "bad": bad,
    }
    result = CliRunner().invoke(cli, ["decide", *(a.format(**names) for a in args)])
    assert result.exit_code == 2, result.output
    assert message.format(**names) in result.output
    assert "Traceback" not in result.output
