"""What the data commands need to know about a base model, read from ``models.json``.

Prices change; they are data, with their source and the date they were checked, so
updating one is an edit to ``models.json`` and not to code. A model that is not listed
still validates: its cost is reported as unknown and its tokens are approximated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ModelInfo:
    name: str
    encoding: str | None
    training_usd_per_1m_tokens: float | None


@cache
def _table() -> dict:
    text = resources.files(__package__).joinpath("models.json").read_text("utf-8")
    return json.loads(text)


def price_source() -> str:
    table = _table()
    return f"{table['source']}, checked {table['checked']}"


def lookup(model: str) -> ModelInfo:
    """Info for ``model``; a fine-tuned id (``ft:BASE:org:suffix:id``) maps to its base."""
    base = model.split(":")[1] if model.startswith("ft:") else model
    entry = _table()["models"].get(base)
    if entry is None:
        return ModelInfo(base, None, None)
    return ModelInfo(base, entry.get("encoding"), entry.get("training_usd_per_1m_tokens"))
