"""Hand-made ``advisor.evidence/1`` documents and answers for the evidence tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.framework import Decision, decide
from advisor.questionnaire import Answers

# RAG-first answers: a corpus to search, no citations, stable facts, no reason to fine-tune.
RAG = {
    "volatility": "yearly",
    "format": "light",
    "latency_ms": 3000,
    "budget_usd": 20000,
    "examples": 500,
    "citations": False,
    "documents": 500,
}
# Hybrid answers: a corpus and a strict house style, with the examples and budget to train.
HYBRID = {**RAG, "format": "strict"}
# Fine-tune answers: a strict style, no corpus, nothing needing retrieval.
FINE_TUNE = {**RAG, "format": "strict", "documents": 0}


def decision(**answers: Any) -> Decision:
    return decide(Answers.from_mapping(answers))


def system(name: str, score: float, items: int = 200, **measured: Any) -> dict[str, Any]:
    return {"system": name, "items": items, "score": score, **measured}


def binary_items(name: str, right: int, items: int = 200) -> list[dict[str, Any]]:
    """Per-item right/wrong scores: the first ``right`` items right, the rest wrong.

    Two systems built this way agree on every item but the ones between their counts, so
    a paired test sees exactly the difference.
    """
    return [
        {"system": name, "id": f"q{i}", "score": 1.0 if i < right else 0.0} for i in range(items)
    ]


def document(
    *systems: dict[str, Any],
    items: list[dict[str, Any]] | None = None,
    eval_items: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "advisor.evidence/1",
        "eval_set": {"name": "support-faq", "items": eval_items},
        "scorer": "exact",
        "systems": list(systems),
        **extra,
    }
    if items is not None:
        data["items"] = items
    return data


def paired(
    scores: dict[str, int], items: int = 200, measured: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A document with per-item right/wrong scores: ``scores`` maps system to items right;
    ``measured`` adds latency, cost or format validity per system."""
    measured = measured or {}
    systems = [
        system(name, right / items, items, **measured.get(name, {}))
        for name, right in scores.items()
    ]
    per_item = [row for name, right in scores.items() for row in binary_items(name, right, items)]
    return document(*systems, items=per_item, eval_items=items)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
