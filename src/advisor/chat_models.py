"""What the price book knows about a hosted chat model, beyond its prices.

Starters and doctor checks need three facts the price book already holds: which model is
the current default, whether a model reasons (it then bills hidden reasoning tokens as
output and accepts no sampling temperature but the default), and when it retires (a
fine-tune dies with its base model). Reading them here, from ``data/prices.yaml``, keeps a
scaffolded project from hard-coding a snapshot that is about to shut down.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A dated snapshot id: the undated name, then -YYYY-MM-DD (gpt-4.1-mini-2025-04-14).
DATED = re.compile(r"^(?P<name>.+)-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ChatModel:
    """One ``chat_models`` entry's lifecycle facts, with the date and source they carry."""

    key: str
    snapshot: str | None
    reasoning: bool
    retires: dt.date | None
    as_of: dt.date | None
    source: str

    @property
    def model_id(self) -> str:
        """The id a starter pins: the dated snapshot where the book names one."""
        return self.snapshot or self.key

    def retired(self, today: dt.date) -> bool:
        return self.retires is not None and self.retires <= today

    def lifecycle(self, today: dt.date) -> str:
        """One sentence on the model's retirement, for doctor checks and READMEs."""
        if self.retires is None:
            return f"{self.model_id}: no retirement announced (as of {_iso(self.as_of)})"
        verb = "was shut down" if self.retired(today) else "shuts down"
        return (
            f"{self.model_id} {verb} on {self.retires.isoformat()} with every fine-tune "
            f"built on it (source: {self.source}, as of {_iso(self.as_of)})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "model_id": self.model_id,
            "reasoning": self.reasoning,
            "retires": _iso(self.retires),
            "as_of": _iso(self.as_of),
            "source": self.source,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _entry(key: str, entry: Mapping[str, Any]) -> ChatModel:
    return ChatModel(
        key=key,
        snapshot=entry.get("snapshot"),
        reasoning=bool(entry.get("reasoning", False)),
        retires=_date(entry.get("retires")),
        as_of=_date(entry.get("as_of")),
        source=str(entry.get("source", "")),
    )


def _data(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if data is not None:
        return data
    from .advice import load_price_data

    return load_price_data()


def selected(kind: str = "chat_model", data: Mapping[str, Any] | None = None) -> ChatModel:
    """The chat model a selection assumption names: ``chat_model`` (the default for
    answers), ``hosted_fine_tune_model`` (what hosted fine-tuning trains) or
    ``large_chat_model``."""
    book = _data(data)
    key = book["assumptions"].get(kind) or book["assumptions"]["chat_model"]
    return _entry(key, book["chat_models"][key])


def lookup(model_id: str, data: Mapping[str, Any] | None = None) -> ChatModel | None:
    """The entry ``model_id`` is priced as, or None when the price book has none.

    ``model_id`` may be the entry's name, its snapshot, another dated version of it
    (``gpt-4.1-mini-2025-04-14`` -> ``gpt-4.1-mini``) or a fine-tune of any of these
    (``ft:gpt-4.1-mini-2025-04-14:org:suffix:id``).
    """
    if model_id.startswith("ft:"):
        model_id = model_id.split(":")[1]
    models = _data(data)["chat_models"]
    for key, entry in models.items():
        if model_id in (key, entry.get("snapshot")):
            return _entry(key, entry)
    dated = DATED.match(model_id)
    if dated and dated["name"] in models:
        return _entry(dated["name"], models[dated["name"]])
    return None
