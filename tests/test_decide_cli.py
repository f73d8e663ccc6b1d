"""`advisor decide` and `advisor questions` from the outside: files, --set, prompts, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli

EXAMPLES = Path(__file__).parents[1] / "examples" / "answers"
COMPLETE = {
    "volatility": "weekly",
    "format": "strict",
    "latency_ms": 2500,
    "budget_usd": 40000,
    "examples": 1500,
    "citations": True,
    "queries_per_month": 1000000,
    "documents": 2000,
}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    return write(tmp_path, yaml.safe_dump(COMPLETE))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


# --- the happy paths ----------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_every_example_answers_file_decides(path):
    result = run("decide", "--answers", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recommendation"] in ("rag", "fine-tune", "hybrid")


def test_json_output_carries_the_documented_keys(answers_file):
    result = run("decide", "--answers", str(answers_file), "--format", "json")
    data = json.loads(result.output)
    assert data["recommendation"] == "hybrid"
    assert 0 <= data["confidence"] <= 1
    assert data["answers"] == {**COMPLETE, "budget_usd": 40000.0, "quality_model": "unknown",
                               "deployment": "api", "language": "en"}
    for flip in data["flips"]:
        assert set(flip) == {"key", "from", "to", "recommendation"}
    assert all({"key", "text"} <= set(r) for r in data["reasons"])
    assert data["framework_version"]


def test_text_output_summarises(answers_file):
    result = run("decide", "--answers", str(answers_file))
    assert result.exit_code == 0
    assert result.output.startswith("Recommendation: hybrid")
    assert "What would change it:" in result.output
    assert "evaluation set first" in result.output


def test_markdown_record_has_the_sections_a_review_expects(answers_file, tmp_path):
    out = tmp_path / "decision.md"
    result = run("decide", "--answers", str(answers_file), "--format", "markdown", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    for heading in (
        "## Context",
        "## Decision",
        "## Not chosen",
        "## Consequences",
        "## How to revisit",
    ):
        assert heading in text
    assert "| Must answers cite their sources? (`citations`) | true |" in text
    assert "**hybrid**" in text


def test_set_overrides_the_file(answers_file):
    result = run(
        "decide", "--answers", str(answers_file), "--set", "examples=10", "--format", "json"
    )
    data = json.loads(result.output)
    assert data["answers"]["examples"] == 10
    assert data["recommendation"] == "rag"


def test_set_alone_with_no_input(tmp_path):
    result = run(
        "decide",
        "--no-input",
        "--set",
        "volatility=static",
        "--set",
        "format=none",
        "--set",
        "latency_ms=900",
        "--set",
        "budget_usd=10",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["answers"]["queries_per_month"] == 10000  # the default
    assert data["recommendation"] == "rag"


def test_save_answers_round_trips(tmp_path):
    saved = tmp_path / "saved.yaml"
    first = run(
        "decide",
        "--answers",
        str(EXAMPLES / "support-ticket-router.yaml"),
        "--save-answers",
        str(saved),
        "--format",
        "json",
    )
    second = run("decide", "--answers", str(saved), "--format", "json")
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert f"Next: advisor scaffold DIR --answers {saved}" in first.stderr


@pytest.fixture
def terminal(monkeypatch):
    """Make CliRunner's stdin count as a terminal, so prompts are asked (see test_cli_pty)."""
    monkeypatch.setattr("advisor.questionnaire.can_prompt", lambda: True)


def test_interactive_flow_asks_every_question_and_re_asks_bad_values(
    terminal, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    typed = (
        "\n".join(
            [
                "weekly",  # volatility
                "strictly",  # format: refused, re-asked
                "strict",
                "fast",  # latency_ms: refused, re-asked
                "2500",
                "40000",  # budget_usd
                "1500",  # examples
                "yes",  # citations (YAML: yes -> true)
                "",  # queries_per_month: take the default
                "2000",  # documents
                "",  # save the answers: take the offered name
            ]
        )
        + "\n"
    )
    result = run("decide", "--format", "json", input=typed)
    assert result.exit_code == 0, result.output
    assert "did you mean 'strict'" in result.output
    assert "latency_ms: 'fast' is not an integer" in result.output
    data = json.loads(result.stdout)
    assert data["answers"]["queries_per_month"] == 10000
    assert data["answers"]["citations"] is True
    assert data["recommendation"] == "hybrid"
    assert "Question 3 of 8: p95 end-to-end latency budget" in result.stderr
    # The answers are kept for scaffold, and the next step says how to use them.
    assert yaml.safe_load((tmp_path / "answers.yaml").read_text()) == data["answers"]
    assert "Next: advisor scaffold DIR --answers answers.yaml" in result.stderr


def test_an_answers_file_with_gaps_prompts_only_for_required_keys(terminal, tmp_path):
    path = write(tmp_path, "volatility: static\nformat: none\nbudget_usd: 100\n")
    result = run("decide", "--answers", str(path), "--format", "json", input="800\n-\n")
    assert result.exit_code == 0, result.output
    assert "Question 1 of 1" in result.stderr
    assert "latency_ms" in result.stderr
    assert "examples" not in result.stderr
    assert "Next:" not in result.stderr  # "-" declined saving the answers


# --- bad input: one line, exit 2 ---------------------------------------------------------


def test_missing_required_answers_are_listed_together(tmp_path):
    path = write(tmp_path, "volatility: weekly\n")
    result = run("decide", "--answers", str(path), "--no-input")
    assert_one_line_error(result, "format", "latency_ms", "budget_usd")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("volatility: [1, 2\n", ["not valid YAML/JSON", "line"]),
        ("- a\n- b\n", ["must be a mapping"]),
        ("volatility: 42\n", ["volatility: 42 is not allowed", "static, yearly"]),
        ("volatility: hourly\n", ["volatility: 'hourly' is not allowed"]),
        ("latency_ms: 'fast'\n", ["latency_ms: 'fast' is not an integer", "1 to 600000"]),
        ("latency_ms: 3 fortnights\n", ["latency_ms: '3 fortnights' is not an integer"]),
        ("latency_ms: 0\n", ["latency_ms: 0 is out of range", "from 1 to 600000"]),
        ("latency_ms: 2.5\n", ["is not an integer"]),
        ("budget_usd: -1\n", ["budget_usd: -1 is out of range", ">= 0"]),
        ("budget_usd: .nan\n", ["budget_usd", "not a finite number"]),
        ("citations: maybe\n", ["citations: 'maybe' is not a boolean", "true or false"]),
        ("examples: true\n", ["examples: true is not an integer"]),
        ("exampels: 5\n", ["unknown key 'exampels'", "did you mean 'examples'"]),
        ("a: &a [x]\nb: *a\n", ["aliases are not allowed"]),
    ],
)
def test_bad_answers_files(tmp_path, text, fragments):
    base = {k: v for k, v in COMPLETE.items()}
    path = write(tmp_path, text if text.startswith(("-", "a:")) else yaml.safe_dump(base) + text)
    result = run("decide", "--answers", str(path), "--no-input")
    assert_one_line_error(result, str(path), *fragments)


def test_bad_json_file_names_the_line(tmp_path):
    path = write(tmp_path, '{"volatility": "static",\n  "format": }', name="a.json")
    assert_one_line_error(run("decide", "--answers", str(path)), "a.json", "line 2")


def test_an_unreadable_path_is_one_line(tmp_path):
    result = run("decide", "--answers", str(tmp_path / "nope.yaml"))
    assert_one_line_error(result, "nope.yaml", "cannot read")


def test_binary_garbage_is_one_line(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    assert_one_line_error(run("decide", "--answers", str(path)), "not UTF-8")


def test_bad_set_values(answers_file):
    assert_one_line_error(
        run("decide", "--answers", str(answers_file), "--set", "format=tabular"),
        "format: 'tabular' is not allowed",
    )
    assert_one_line_error(
        run("decide", "--answers", str(answers_file), "--set", "novalue"), "expected key=value"
    )


def test_an_unwritable_output_keeps_nothing_half_written(answers_file, tmp_path):
    result = run("decide", "--answers", str(answers_file), "-o", str(tmp_path / "no" / "x.md"))
    assert_one_line_error(result, "--output", "cannot write")


# --- questions ----------------------------------------------------------------------------


def test_questions_json_lists_the_contract():
    result = run("questions", "--format", "json")
    data = {q["key"]: q for q in json.loads(result.output)}
    assert list(data)[:8] == [
        "volatility",
        "format",
        "latency_ms",
        "budget_usd",
        "examples",
        "citations",
        "queries_per_month",
        "documents",
    ]
    assert data["volatility"]["choices"] == [
        "static",
        "yearly",
        "monthly",
        "weekly",
        "daily",
        "realtime",
    ]
    assert data["latency_ms"]["required"] and data["latency_ms"]["maximum"] == 600000
    assert data["queries_per_month"]["default"] == 10000


def every_command(group: click.Group, prefix: tuple[str, ...] = ()):
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_help_on_every_command():
    paths = list(every_command(cli))
    assert {("decide",), ("scaffold",), ("doctor",), ("config", "show")} <= set(paths)
    for path in paths:
        for flag in ("-h", "--help"):
            result = run(*path, flag)
            assert result.exit_code == 0, (path, result.output)
            assert result.output.startswith("Usage: ")


# --- start-up cost -----------------------------------------------------------------------


HEAVY = ("openai", "weaviate", "pydantic_settings", "jinja2", "httpx", "grpc")
# A scaffold renders with Jinja, and needs none of the rest; nor urllib.request, which
# xml.sax.saxutils would pull in (12 ms) for escaping the chart.
SCAFFOLD_HEAVY = (*(m for m in HEAVY if m != "jinja2"), "urllib.request")


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["--help"], HEAVY),
        (["decide", "--answers", str(EXAMPLES / "medical-guidelines.yaml"), "--format", "json"],
         HEAVY),
        (["scaffold", "{tmp}/bot", "--backend", "weaviate-rag", "--answers",
          str(EXAMPLES / "medical-guidelines.yaml"), "--no-input"], SCAFFOLD_HEAVY),
    ],
    ids=["help", "decide", "scaffold"],
)
def test_startup_does_not_import_heavy_modules(args, heavy, tmp_path):
    args = [arg.format(tmp=tmp_path) for arg in args]
    code = (
        "import sys\n"
        "from advisor.cli import main\n"
        f"sys.argv = ['advisor', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "LOADED []" in result.stderr, result.stderr
    if args[0] == "scaffold":  # it ran to the end, so everything it imports was imported
        assert (tmp_path / "bot" / "README.md").is_file(), result.stderr
