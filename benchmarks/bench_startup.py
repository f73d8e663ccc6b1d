"""CLI start-up: `advisor --help` and `advisor decide` against a bare interpreter and cookiecutter.

Targets (issue 9): `advisor --help` at most half of `cookiecutter --help`; `advisor decide
--answers F --format json` at most 8x `python -c pass`. Korean (issue 22): the same decide
with `--lang ko` (catalog loaded) within 8x too, and the Korean text report at most 1.1x
the English one measured in the same run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from harness import BIN, Target, table, time_command

ROOT = Path(__file__).parents[1]
ANSWERS = ROOT / "examples" / "answers" / "medical-guidelines.yaml"


def run(quick: bool) -> list[Target]:
    runs = 3 if quick else 15
    advisor = str(BIN / "advisor")
    bare = time_command("python -c pass", [sys.executable, "-c", "pass"], runs)
    help_ = time_command("advisor --help", [advisor, "--help"], runs)
    decide = time_command(
        "advisor decide --answers F --format json",
        [advisor, "decide", "--answers", str(ANSWERS), "--format", "json"],
        runs,
    )
    decide_ko = time_command(
        "advisor decide ... --format json --lang ko",
        [advisor, "decide", "--answers", str(ANSWERS), "--format", "json", "--lang", "ko"],
        runs,
    )
    text_en = time_command(
        "advisor decide --answers F --lang en (text)",
        [advisor, "decide", "--answers", str(ANSWERS), "--lang", "en"],
        runs,
    )
    text_ko = time_command(
        "advisor decide --answers F --lang ko (text)",
        [advisor, "decide", "--answers", str(ANSWERS), "--lang", "ko"],
        runs,
    )
    timings = [bare, help_, decide, decide_ko, text_en, text_ko]
    targets = [
        Target("advisor decide / python -c pass", decide.median / bare.median, 8),
        Target("advisor decide --lang ko / python -c pass", decide_ko.median / bare.median, 8),
        Target("decide text --lang ko / --lang en", text_ko.median / text_en.median, 1.1),
    ]
    cookiecutter = shutil.which("cookiecutter", path=str(BIN))
    if cookiecutter:
        cc = time_command("cookiecutter --help", [cookiecutter, "--help"], runs)
        timings.append(cc)
        targets.insert(
            0, Target("advisor --help / cookiecutter --help", help_.median / cc.median, 0.5)
        )
    else:
        print("cookiecutter is not installed (pip install -e '.[bench]'): skipping its baseline")
    print(table("CLI start-up", timings, bare))
    return targets
