"""Prompts as a person meets them: ``advisor`` in a pseudo-terminal (stdlib ``pty``).

The child's stdin and stderr are the terminal (stdout too where the report's wrapping is
tested), so it prompts, edits lines with readline and wraps to the terminal's width
exactly as in a real shell. Each answer is typed only once its prompt has appeared.
"""

from __future__ import annotations

import codecs
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
LEFT = "\x1b[D"


MAIN = "from advisor.cli import main; main()"


class Terminal:
    """``advisor ARGS`` (``python -c CODE ARGS``) with a pty of ``columns`` as its terminal."""

    def __init__(
        self,
        *args: str,
        cwd: Path,
        columns: int = 100,
        stdout_tty: bool = False,
        code: str = MAIN,
        env: dict[str, str] | None = None,
    ):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        env = {**os.environ, **(env or {}), "TERM": "xterm", "COLUMNS": str(columns)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=slave,
            stdout=slave if stdout_tty else subprocess.PIPE,
            stderr=slave,
            cwd=cwd,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""
        self.position = 0
        # A character's bytes can arrive in two reads (readline writes Hangul byte by byte).
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def expect(self, text: str, timeout: float = 60) -> str:
        """Wait for ``text`` after what was matched before; return the output up to it."""
        deadline = time.monotonic() + timeout
        while True:
            plain = ANSI.sub("", self.seen).replace("\r", "")
            found = plain.find(text, self.position)
            if found >= 0:
                chunk = plain[self.position : found + len(text)]
                self.position = found + len(text)
                return chunk
            wait = deadline - time.monotonic()
            if wait <= 0 or not self._read(wait):
                raise AssertionError(f"{text!r} did not appear; the terminal shows:\n{plain}")

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.seen += self.decoder.decode(data)
        return bool(data)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def line(self, text: str) -> None:
        self.type(text + "\r")

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Exit code, the stdout pipe's text (if piped), and everything the terminal showed."""
        stdout = self.process.stdout.read().decode() if self.process.stdout else ""
        code = self.process.wait(timeout=timeout)
        while self._read(0.2):
            pass
        os.close(self.master)
        return code, stdout, ANSI.sub("", self.seen).replace("\r", "")


CORE = [
    ("volatility", "weekly"),
    ("format", "strict"),
    ("latency_ms", "2500"),
    ("budget_usd", "40000"),
    ("examples", "1500"),
    ("citations", "yes"),
    ("queries_per_month", ""),
    ("documents", "2000"),
]


def test_progress_going_back_and_line_editing(tmp_path):
    term = Terminal("decide", "--format", "json", cwd=tmp_path, columns=60)
    term.expect("Type < and Enter to go back")
    term.expect("Question 1 of 8")
    term.expect("volatility (")
    term.line("wekly" + LEFT * 3 + "e")  # arrow keys edit the line (readline), not ^[[D
    term.expect("Question 2 of 8")
    term.expect("format (")
    term.line("strict")
    term.expect("Question 3 of 8")
    term.expect("latency_ms")
    term.line("<")  # back to format, which offers what was typed
    term.expect("Question 2 of 8")
    term.expect("format (none/light/schema/strict) [strict]:")
    term.line("json")  # a common wrong word: pointed hint, asked again
    hint = term.expect("format (none/light/schema/strict) [strict]:")
    assert "did you mean 'schema'?" in hint
    term.line("Schema")  # case does not matter
    term.expect("latency_ms")
    term.line("0.5 s")  # a unit; echoed back normalised
    assert "latency_ms = 500" in term.expect("Question 4 of 8")
    term.line("$2,000")
    assert "budget_usd = 2000" in term.expect("Question 5 of 8")
    for _, answer in CORE[4:]:
        term.line(answer)
    term.expect("Save these answers for `advisor scaffold`?")
    term.line("")
    code, stdout, shown = term.finish()
    assert code == 0, shown
    answers = json.loads(stdout)["answers"]
    assert answers["volatility"] == "weekly"
    assert answers["format"] == "schema"
    assert answers["latency_ms"] == 500
    assert answers["budget_usd"] == 2000.0
    assert yaml.safe_load((tmp_path / "answers.yaml").read_text()) == answers
    assert "Next: advisor scaffold DIR --answers answers.yaml" in shown
    # Help and choice help wrap at word boundaries to the 60 columns of the terminal.
    long_lines = [line for line in shown.splitlines() if len(line) > 60]
    assert not [line for line in long_lines if "schema:" in line or "strict:" in line]
    lines = shown.splitlines()
    strict = next(i for i, line in enumerate(lines) if line.startswith("  strict: a house"))
    assert lines[strict + 1].startswith("    ")  # continuation hangs under the choice


def test_optional_questions_are_one_skippable_step(tmp_path):
    """Questions with defaults beyond the core eight (a plugin's) come after them, skippable."""
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "extra_questions.py").write_text(
        "from advisor.api import Question, hookimpl\n"
        "@hookimpl\n"
        "def register_questions(register):\n"
        "    register(Question('team_size', 'int', 'People on the team.', default=3, minimum=1))\n"
    )
    # The child adds the plugin by hand (it has no entry point), then runs the CLI.
    code = (
        "import extra_questions\n"
        "from advisor import plugins\n"
        "plugins.get_plugins().add(extra_questions, 'extra')\n" + MAIN
    )
    env = {"PYTHONPATH": os.pathsep.join([str(plugin), os.environ.get("PYTHONPATH", "")])}
    term = Terminal("decide", "--format", "json", cwd=tmp_path, code=code, env=env)
    for _, answer in CORE:
        term.expect("of 8:")
        term.line(answer)
    assert "team_size" in term.expect("Answer them? (yes/no) [no]:")
    term.line("<")  # back from the step to the last core question
    term.expect("Question 8 of 8")
    term.line("2000")
    term.expect("Answer them? (yes/no) [no]:")
    term.line("y")
    term.expect("Optional question 1 of 1: People on the team.")
    term.line("<")  # back to the step
    term.expect("Answer them? (yes/no) [no]:")
    term.line("yes")
    term.expect("team_size [3]:")
    term.line("5")
    term.expect("Save these answers")
    term.line("-")
    code_, stdout, shown = term.finish()
    assert code_ == 0, shown
    assert json.loads(stdout)["answers"]["documents"] == 2000

    skipped = Terminal("decide", "--format", "json", cwd=tmp_path, code=code, env=env)
    for _, answer in CORE:
        skipped.expect("of 8:")
        skipped.line(answer)
    skipped.expect("Answer them? (yes/no) [no]:")
    skipped.line("")
    skipped.expect("Save these answers")
    skipped.line("-")
    code_, _, shown = skipped.finish()
    assert code_ == 0, shown
    assert "team_size [" not in shown  # skipped: the default is used


def test_the_report_wraps_to_the_terminal_but_tables_stay_aligned(tmp_path):
    answers = Path(__file__).parents[1] / "examples" / "answers" / "medical-guidelines.yaml"
    term = Terminal("decide", "--answers", str(answers), cwd=tmp_path, columns=70, stdout_tty=True)
    code, _, shown = term.finish()
    assert code == 0, shown
    lines = shown.splitlines()
    prose = [line for line in lines if line.lstrip().startswith("- [")]
    assert prose and all(len(line) < 70 for line in lines if "  " not in line.strip())
    reasons = shown.split("Why:")[1].split("What would change it")[0]
    assert "    " in reasons  # continuation lines hang under their bullet
    row = next(line for line in lines if line.startswith("  * rag "))
    assert row.count("$") == 4  # a table row stays one line, its columns aligned
