"""The CLI as people type it: forgiving values, every problem at once, no prompt without a
terminal, answers files of any kind read with a bound, help on every option."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advisor import inputfiles
from advisor.cli import cli
from advisor.questionnaire import CORE_QUESTIONS, coerce

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "answers" / "medical-guidelines.yaml"
QUESTIONS = {q.key: q for q in CORE_QUESTIONS}
REQUIRED = {"volatility": "weekly", "format": "light", "latency_ms": 3000, "budget_usd": 5000}


def run(*args: str | Path, input: str | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def advisor(*args: str | Path, stdin: int | None = subprocess.DEVNULL, cwd: Path | None = None):
    """The installed command in a subprocess, stdin not a terminal (a pipe or /dev/null)."""
    return subprocess.run(
        [sys.executable, "-c", "from advisor.cli import main; main()", *map(str, args)],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Error: ")]


# --- forgiving, consistent input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "typed", "expected"),
    [
        ("volatility", "Weekly", "weekly"),
        ("volatility", " DAILY ", "daily"),
        ("format", "Schema", "schema"),
        ("budget_usd", "2,000", 2000.0),
        ("budget_usd", "$2,000", 2000.0),
        ("budget_usd", "$ 1,250.50", 1250.5),
        ("budget_usd", "300 USD", 300.0),
        ("queries_per_month", "50,000", 50000),
        ("queries_per_month", "1_000_000", 1000000),
        ("latency_ms", "500ms", 500),
        ("latency_ms", "0.5 s", 500),
        ("latency_ms", "2s", 2000),
        ("latency_ms", "1.5 seconds", 1500),
        ("latency_ms", "2,500", 2500),
        ("latency_ms", "800", 800),
        ("citations", "Yes", True),
        ("citations", "n", False),
    ],
)
def test_values_are_read_leniently_the_same_everywhere(key, typed, expected):
    assert coerce(QUESTIONS[key], typed, "test") == expected


@pytest.mark.parametrize(
    ("key", "typed", "reason"),
    [
        ("budget_usd", "2,00", "is not a number"),
        ("budget_usd", "$", "is not a number"),
        ("examples", "$200", "is not an integer"),  # currency only where it means money
        ("latency_ms", "2 parsecs", "is not an integer"),
        ("latency_ms", "0.0001s", "is not an integer"),
        ("latency_ms", "20 min", "is out of range"),
        ("citations", "maybe", "is not a boolean"),
        ("documents", "9" * 5000, "is not an integer"),
    ],
)
def test_what_is_still_refused(key, typed, reason):
    with pytest.raises(Exception, match=reason) as info:
        coerce(QUESTIONS[key], typed, "test")
    assert len(str(info.value.message)) < 300


def test_lenient_values_in_file_set_and_echoed_back_normalised(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("volatility: Weekly\nformat: light\nlatency_ms: 500ms\nbudget_usd: $2,000\n")
    result = run(
        "decide", "--answers", path, "--set", "queries_per_month=50,000", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    answers = json.loads(result.stdout)["answers"]
    assert answers["volatility"] == "weekly"
    assert answers["latency_ms"] == 500
    assert answers["budget_usd"] == 2000.0
    assert answers["queries_per_month"] == 50000
    notes = result.stderr.splitlines()
    assert f"Note: {path}: volatility: 'Weekly' read as weekly" in notes
    assert f"Note: {path}: budget_usd: '$2,000' read as 2000" in notes
    assert "Note: --set: queries_per_month: '50,000' read as 50000" in notes
    assert not any("format" in line for line in notes)  # already as written: no note


def test_a_common_wrong_word_gets_a_pointed_hint():
    result = run("decide", "--no-input", *_set(REQUIRED, format="json"))
    (line,) = error_lines(result.output)
    assert "format: 'json' is not allowed" in line
    assert "did you mean 'schema'?" in line
    assert "schema: a data format (JSON" in line
    assert "strict: a house style" in line  # told apart from strict, in the same line
    assert result.exit_code == 2


# --- every problem at once, blamed on where it came from -------------------------------------


def test_an_answers_file_with_three_bad_values_reports_all_three(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "volatility: hourly\nformat: light\nlatency_ms: fast\nbudget_usd: -5\nexampels: 3\n"
    )
    result = run("decide", "--answers", path, "--no-input")
    assert result.exit_code == 2
    lines = error_lines(result.output)
    assert len(lines) == 4, result.output
    assert lines[0].startswith(f"Error: {path}: unknown key 'exampels'")
    assert f"{path}: volatility: 'hourly' is not allowed" in lines[1]
    assert f"{path}: latency_ms: 'fast' is not an integer" in lines[2]
    assert f"{path}: budget_usd: -5 is out of range" in lines[3]
    assert "Traceback" not in result.output


def test_a_set_typo_is_blamed_on_set_not_the_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(REQUIRED))
    result = run("decide", "--answers", path, "--set", "volatilty=daily", "--no-input")
    assert result.exit_code == 2
    (line,) = error_lines(result.output)
    assert line.startswith("Error: --set: unknown key 'volatilty'; did you mean 'volatility'?")
    result = run("decide", "--answers", path, "--set", "format=jsn", "--no-input")
    (line,) = error_lines(result.output)
    assert line.startswith("Error: --set: format: 'jsn' is not allowed")


def test_bad_values_and_missing_answers_come_together():
    result = run("decide", "--no-input", "--set", "volatility=hourly")
    lines = error_lines(result.output)
    assert len(lines) == 2
    assert "--set: volatility: 'hourly'" in lines[0]
    assert lines[1].startswith("Error: missing required answers: format, latency_ms, budget_usd")


# --- no terminal, no prompt ------------------------------------------------------------------


def test_decide_without_a_terminal_lists_what_is_missing_instead_of_prompting(tmp_path):
    partial = tmp_path / "partial.yaml"
    partial.write_text("volatility: weekly\n")
    for stdin in (subprocess.DEVNULL, subprocess.PIPE):
        result = advisor("decide", "--answers", partial, stdin=stdin)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [
            "Error: missing required answers: format, latency_ms, budget_usd "
            "(give them in --answers FILE or with --set key=value)"
        ]
        assert "Aborted" not in result.stderr


def test_an_empty_answers_file_in_ci_lists_every_required_answer(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = advisor("decide", "--answers", empty)
    assert result.returncode == 2
    assert "missing required answers: volatility, format, latency_ms, budget_usd" in (result.stderr)


def test_scaffold_from_a_saved_decision_without_a_terminal_never_prompts(tmp_path):
    decision = tmp_path / "d.json"
    made = advisor("decide", "--answers", EXAMPLE, "--format", "json")
    assert made.returncode == 0, made.stderr
    decision.write_text(made.stdout)
    result = advisor("scaffold", tmp_path / "bot", "--decision", decision, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Aborted" not in result.stderr
    assert "[" not in "".join(line for line in result.stderr.splitlines() if line.endswith(":"))
    assert (tmp_path / "bot" / ".advisor.yml").is_file()


def test_scaffold_without_a_terminal_and_missing_answers_lists_them(tmp_path):
    result = advisor("scaffold", tmp_path / "bot", "--set", "format=light", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: missing required answers: volatility, latency_ms, budget_usd "
        "(give them in --answers FILE or with --set key=value)"
    ]
    assert not (tmp_path / "bot").exists()


def test_scaffold_with_a_file_asks_nothing_the_file_or_defaults_answer(tmp_path, monkeypatch):
    """Even at a terminal: backends' questions keep their defaults with --answers/--decision."""
    asked: list[str] = []
    monkeypatch.setattr("advisor.questionnaire.can_prompt", lambda: True)
    monkeypatch.setattr(
        "advisor.prompting.ask", lambda questions: asked.extend(q.key for q in questions) or {}
    )
    monkeypatch.chdir(tmp_path)
    made = run("decide", "--answers", EXAMPLE, "--format", "json")
    decision = tmp_path / "d.json"
    decision.write_text(made.stdout)
    for option, path in (("--decision", decision), ("--answers", EXAMPLE)):
        result = run("scaffold", tmp_path / option.strip("-"), option, path, "--dry-run")
        assert result.exit_code == 0, result.output
    assert asked == []


# --- answers files of any kind, read with a bound --------------------------------------------


def test_endless_devices_and_pipes_are_refused_in_one_line():
    result = run("decide", "--answers", "/dev/zero", "--no-input")
    assert error_lines(result.output) == [
        "Error: /dev/zero: answers file is larger than 1000000 bytes; at most 1000000 allowed"
    ]
    assert result.exit_code == 2
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        piped = advisor("decide", "--answers", "/dev/stdin", stdin=yes.stdout)
    finally:
        yes.kill()
        yes.wait()
    assert piped.returncode == 2
    assert piped.stderr.startswith("Error: /dev/stdin: answers file is larger than")
    assert "Traceback" not in piped.stderr


def test_answers_piped_through_dev_stdin_are_read(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from advisor.cli import main; main()",
            "decide",
            "--answers",
            "/dev/stdin",
            "--format",
            "json",
        ],
        input=EXAMPLE.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"] == "rag"


def test_a_fifo_with_no_writer_does_not_hang(tmp_path, monkeypatch):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    monkeypatch.setattr(inputfiles, "IDLE_S", 0.3)
    outcome: list = []
    worker = threading.Thread(
        target=lambda: outcome.append(run("decide", "--answers", fifo)), daemon=True
    )
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "reading a FIFO with no writer hung"
    (result,) = outcome
    assert result.exit_code == 2
    assert error_lines(result.output) == [
        f"Error: {fifo}: cannot read answers file: nothing arrived for 0.3 s "
        "(a pipe or FIFO with no writer?)"
    ]


def test_a_folder_is_refused(tmp_path):
    result = run("decide", "--answers", str(tmp_path) + "/", "--no-input")
    assert result.exit_code == 2


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_5000_digit_integer_in_a_file_is_one_line(tmp_path, suffix):
    path = tmp_path / f"a{suffix}"
    path.write_text(json.dumps({**REQUIRED, "documents": 0}).replace("0}", "9" * 5000 + "}"))
    result = run("decide", "--answers", path, "--no-input")
    assert result.exit_code == 2
    (line,) = error_lines(result.output)
    assert line == f"Error: {path}: not valid YAML/JSON: a number has too many digits"
    assert "Traceback" not in result.output


def test_a_5000_digit_integer_in_set_is_one_line():
    result = run("decide", "--no-input", *_set(REQUIRED, documents="9" * 5000))
    assert result.exit_code == 2
    (line,) = error_lines(result.output)
    assert line.startswith("Error: --set: documents: '99999")
    assert line.endswith("is not an integer (allowed: an integer >= 0)")
    assert len(line) < 200


def test_a_1000_digit_integer_is_out_of_range_not_printed_whole(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(REQUIRED) + "documents: " + "9" * 1000 + "\n")
    (line,) = error_lines(run("decide", "--answers", path, "--no-input").output)
    assert "documents: a number with more than 60 digits is out of range" in line


# --- output, help ----------------------------------------------------------------------------


def test_output_into_a_missing_folder_names_the_file_asked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("decide", "--answers", EXAMPLE, "--format", "markdown", "-o", "sub/x.md")
    assert result.exit_code == 2
    assert error_lines(result.output) == [
        "Error: --output sub/x.md: cannot write: the folder sub does not exist (create it first)"
    ]
    assert "x-costs.svg" not in result.output
    assert not (tmp_path / "sub").exists()


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_option_has_help():
    missing = [
        f"{' '.join(path)} {param.opts[0]}"
        for path, command in _commands(cli)
        for param in command.params
        if param.param_type_name == "option" and not param.help
    ]
    assert missing == []


def test_top_level_help_does_not_cut_summaries():
    result = run("--help")
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands, commands


def _set(base, **changes):
    merged = {**base, **changes}
    return [arg for key, value in merged.items() for arg in ("--set", f"{key}={value}")]


def test_other_files_named_on_the_command_line_are_bounded_too(tmp_path):
    for option, name in (("--decision", "--decision /dev/zero"), ("--answers-from", "/dev/zero")):
        result = run("scaffold", tmp_path / "bot", option, "/dev/zero", "--no-input")
        assert result.exit_code == 2, result.output
        (line,) = error_lines(result.output)
        assert line.startswith(f"Error: {name}: ") and "larger than" in line
    huge = tmp_path / "d.json"
    huge.write_text('{"recommendation": ' + "9" * 5000 + "}")
    result = run("scaffold", tmp_path / "bot", "--decision", huge, "--no-input")
    assert error_lines(result.output) == [
        f"Error: --decision {huge}: not valid JSON: a number has too many digits, or the "
        "nesting is too deep"
    ]
    assert not (tmp_path / "bot").exists()
