"""OpenAI's self-serve fine-tuning wind-down, from dated data (``provider_status.json``).

The dates and the source come from the advisor's provider-status data at scaffold time;
``train`` uses them to explain a refused job instead of showing a bare 403.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def status() -> dict[str, Any]:
    data = resources.files(__package__).joinpath("provider_status.json").read_text("utf-8")
    return json.loads(data)


def notice(today: dt.date) -> str:
    """What has happened and what will, by date, with the source and the alternative."""
    data = status()
    parts = []
    for event in data["events"]:
        when = dt.date.fromisoformat(event["date"])
        parts.append(f"{'since' if when <= today else 'from'} {event['date']} {event['text']}")
    text = f"{data['name']} is {data['status'].replace('-', ' ')}: " + "; ".join(parts) + "."
    if data.get("note"):
        text += f" {data['note'][0].upper()}{data['note'][1:]}."
    if data.get("alternative"):
        text += (
            f" To keep fine-tuning, use open weights: scaffold with the advisor's "
            f"`{data['alternative']}` backend."
        )
    return f"{text} Source: {data['source']}"


def explain_refusal(api_message: str, today: dt.date) -> str:
    """The message for a 403 on creating a job: OpenAI's words, then the likely reason."""
    return (
        f"OpenAI refused to create the fine-tuning job: {api_message}\n"
        f"This is most likely the fine-tuning wind-down. {notice(today)}"
    )
