"""`split`: seeded, reproducible, complete, and careful with existing files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from {{ package }}.cli import main


def lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def run_split(source: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["split", str(source), *args])
    return result.exit_code, result.output


def test_split_is_reproducible_and_complete(write_jsonl, example, tmp_path: Path):
    source = write_jsonl([example(f"q{i}") for i in range(40)] + [""], name="all.jsonl")
    code, output = run_split(source, "--validation-fraction", "0.25", "--seed", "7")
    assert code == 0
    train, validation = tmp_path / "all.train.jsonl", tmp_path / "all.validation.jsonl"
    assert f"{train}: 30 examples" in output
    assert len(lines(validation)) == 10
    assert sorted(lines(train) + lines(validation)) == sorted(lines(source)[:40])
    first = (lines(train), lines(validation))
    code, _ = run_split(source, "--validation-fraction", "0.25", "--seed", "7", "--force")
    assert code == 0
    assert (lines(train), lines(validation)) == first
    run_split(source, "--validation-fraction", "0.25", "--seed", "8", "--force")
    assert lines(validation) != first[1]
    assert all(json.loads(line)["messages"] for line in lines(train))


def test_split_never_overwrites_without_force(write_jsonl, example, tmp_path: Path):
    source = write_jsonl([example()] * 10, name="all.jsonl")
    existing = tmp_path / "keep.jsonl"
    existing.write_text("mine\n", encoding="utf-8")
    code, output = run_split(source, "--train-out", str(existing))
    assert code == 2
    assert "exists; pass --force" in output
    assert existing.read_text("utf-8") == "mine\n"


def test_split_refuses_bad_fractions_and_tiny_files(write_jsonl, example):
    source = write_jsonl([example()])
    assert run_split(source)[0] == 2
    assert run_split(write_jsonl([example()] * 5), "--validation-fraction", "1.5")[0] == 2
