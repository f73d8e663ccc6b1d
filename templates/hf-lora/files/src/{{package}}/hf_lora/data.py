"""Chat-format JSONL -> rows for trl's SFT trainer, checked by the shared ``chatdata`` rules.

The file is the one the OpenAI starter reads (``{"messages": [{"role", "content"}, ...]}``
a line), so a team can move its data between the hosted and the open-weights path
unchanged. Every line is checked with :func:`..chatdata.rules.check_example`, the same
validator ``validate`` uses; the first problems are reported by line and nothing trains
on a bad file. Only text turns are trained on: tool and function-call turns are refused
(the small chat templates offered here do not all support them), and OpenAI's per-message
``weight`` is not carried over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..chatdata.rules import check_example

MAX_REPORTED = 5
TEXT_ROLES = frozenset({"system", "user", "assistant"})


class DataError(ValueError):
    """A training file that cannot be used; the message names the file and the lines."""


def load_conversations(path: Path) -> list[dict[str, Any]]:
    """Every example of ``path`` as ``{"messages": [{"role", "content"}, ...]}``."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    total_problems = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            found = _check_line(line)
            if found:
                total_problems += len(found)
                problems.extend(f"line {number}: {kind}: {detail}" for kind, detail in found)
                continue
            rows.append(_text_turns(json.loads(line)))
    if total_problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        more = total_problems - min(len(problems), MAX_REPORTED)
        raise DataError(f"{path}: {shown}" + (f" (and {more} more)" if more else ""))
    if not rows:
        raise DataError(f"{path}: no examples")
    return rows


def _check_line(line: str) -> list[tuple[str, str]]:
    try:
        example = json.loads(line)
    except json.JSONDecodeError as exc:
        return [("invalid_json", exc.msg)]
    problems = check_example(example)
    if problems:
        return problems
    roles = {m["role"] for m in example["messages"]}
    if not roles <= TEXT_ROLES or any(
        "tool_calls" in m or "function_call" in m for m in example["messages"]
    ):
        return [("unsupported_turn", "tool and function-call turns are not trained on here")]
    return []


def _text_turns(example: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [{"role": m["role"], "content": m["content"]} for m in example["messages"]]}
