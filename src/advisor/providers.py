"""Provider status: which hosted services are closing, from dated data, not prose in code.

``data/providers.yaml`` records each provider's dated events with a source. A backend
names its provider (``Backend.provider``); whenever the advisor points a team at that
backend it shows :func:`notice`, computed from today's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ProviderEvent:
    date: dt.date
    text: str


@dataclass(frozen=True)
class ProviderStatus:
    key: str
    name: str
    status: str
    source: str
    events: tuple[ProviderEvent, ...]
    alternative: str | None = None
    note: str = ""
    kind: str = ""
    offers: str = ""

    def notice(self, today: dt.date) -> str:
        """One paragraph: what has happened, what will, the alternative and the source."""
        past = [e for e in self.events if e.date <= today]
        future = [e for e in self.events if e.date > today]
        parts = [f"{self.name} is {self.status.replace('-', ' ')}:"]
        parts += [f"since {e.date.isoformat()} {e.text};" for e in past]
        parts += [f"from {e.date.isoformat()} {e.text};" for e in future]
        text = " ".join(parts).rstrip(";") + "."
        if self.note:
            text += f" {self.note[0].upper()}{self.note[1:]}."
        if self.alternative:
            text += f" Open-weights alternative: the `{self.alternative}` backend."
        return f"{text} Source: {self.source}"

    def closed(self, today: dt.date) -> bool:
        """True once every dated restriction is in force (no new work possible)."""
        return bool(self.events) and all(e.date <= today for e in self.events)

    def closed_to_new(self, today: dt.date) -> bool:
        """True once any dated restriction is in force: a new team cannot start."""
        return any(e.date <= today for e in self.events)


@cache
def load_providers() -> dict[str, ProviderStatus]:
    # Beside this module, not through importlib.resources: `decide` reads this at every
    # start, and importlib.resources pulls in zipfile and tempfile (about 9 ms).
    import yaml

    text = (Path(__file__).parent / "data" / "providers.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {
        key: ProviderStatus(
            key=key,
            name=entry["name"],
            status=entry["status"],
            source=entry["source"],
            events=tuple(ProviderEvent(e["date"], e["text"]) for e in entry.get("events", [])),
            alternative=entry.get("alternative"),
            note=entry.get("note", ""),
            kind=entry.get("kind", ""),
            offers=entry.get("offers", ""),
        )
        for key, entry in raw.items()
    }


def notice(key: str | None, today: dt.date | None = None) -> str | None:
    """The status notice for provider ``key``, or None when it has none."""
    if key is None:
        return None
    status = load_providers().get(key)
    if status is None:
        return None
    return status.notice(today or dt.date.today())


def hosted_fine_tuning_alternatives(today: dt.date) -> str:
    """Hosted fine-tuning providers still open (``kind: hosted-fine-tuning``), by name.

    What each offers, to whom, and its source are in ``data/providers.yaml``.
    """
    return ", ".join(
        status.name
        for status in load_providers().values()
        if status.kind == "hosted-fine-tuning" and not status.closed(today)
    )
