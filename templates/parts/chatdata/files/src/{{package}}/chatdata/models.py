"""What the data commands need to know about a base model, read from ``models.json``.

Prices change; they are data, with their source and the date they were checked, so
updating one is an edit to ``models.json`` and not to code. A model that is not listed
still validates: its cost is reported as unknown and its tokens are approximated.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class GpuPrice:
    """How the advisor prices an open-weights training run: GPU-hours at an hourly price.

    Hours = billed tokens / ``tokens_per_second`` + ``overhead_hours`` (download,
    evaluation, export), from the advisor's price book when the project was made.
    """

    key: str
    gpu: str
    usd_per_hour: float
    tokens_per_second: float
    overhead_hours: float
    source: str

    def hours(self, billed_tokens: int) -> float:
        return billed_tokens / (self.tokens_per_second * 3600) + self.overhead_hours


@dataclass(frozen=True)
class ModelInfo:
    name: str
    encoding: str | None
    training_usd_per_1m_tokens: float | None
    retires: dt.date | None = None  # announced shutdown; its fine-tunes shut down with it

    def retirement(self, today: dt.date) -> str | None:
        """One line on the model's announced shutdown, with its source; None if none."""
        if self.retires is None:
            return None
        verb = "was shut down" if self.retires <= today else "shuts down"
        where = _table().get("retirements", {})
        return (
            f"{self.name} {verb} on {self.retires.isoformat()} with every fine-tune built on "
            f"it (source: {where.get('source', 'models.json')}, checked {where.get('checked')})"
        )


@cache
def _table() -> dict:
    text = resources.files(__package__).joinpath("models.json").read_text("utf-8")
    return json.loads(text)


def price_source() -> str:
    table = _table()
    return f"{table['source']}, checked {table['checked']}"


def open_weights_gpu() -> GpuPrice | None:
    """The GPU pricing of an open-weights project (``open_weights.json``); None otherwise."""
    text = resources.files(__package__).joinpath("open_weights.json").read_text("utf-8")
    data = json.loads(text)
    if not data:
        return None
    return GpuPrice(
        data["key"],
        data["gpu"],
        float(data["gpu_hour_usd"]),
        float(data["training_tokens_per_second"]),
        float(data["run_overhead_hours"]),
        f"{data['source']}, as of {data['as_of']}",
    )


def lookup(model: str) -> ModelInfo:
    """Info for ``model``; a fine-tuned id (``ft:BASE:org:suffix:id``) maps to its base."""
    base = model.split(":")[1] if model.startswith("ft:") else model
    entry = _table()["models"].get(base)
    if entry is None:
        return ModelInfo(base, None, None)
    retires = entry.get("retires")
    return ModelInfo(
        base,
        entry.get("encoding"),
        entry.get("training_usd_per_1m_tokens"),
        dt.date.fromisoformat(retires) if retires else None,
    )
