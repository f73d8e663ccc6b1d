"""``advisor check``: does a generated project's recorded decision still hold?

A decision ages three ways, and each is one kind of finding:

- ``recommendation`` / ``variant``: deciding again from the recorded answers with this
  advisor's framework gives another answer (the answers in ``.advisor.yml`` were edited,
  or the framework changed);
- ``provider``: a provider's dated event (data/providers.yaml) has passed since the
  project was rendered, e.g. hosted fine-tuning stopped taking new jobs;
- ``prices``: the price book the options were priced with is older than the allowed age;
- ``model``: a model an answer names (``rag_chat_model``, ``openai_base_model``...) has
  been shut down by today, by the price book's ``retires`` date (a fine-tune dies with it).

The check is pure apart from reading the record: the caller passes today's date
(:func:`advisor.clock.today`, which tests pin) and the providers' events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .i18n import _
from .scaffold.record import Record

# A year: the price book is re-checked far more often, so an older one means the
# advisor itself (and with it the prices) was not updated.
DEFAULT_MAX_PRICE_AGE_DAYS = 365


@dataclass(frozen=True)
class Finding:
    """One reason the recorded decision may no longer hold."""

    kind: str
    text: str


def check_record(
    record: Record,
    *,
    today: dt.date,
    source: str,
    events: Mapping[str, Sequence[tuple[dt.date, str]]],
    max_price_age_days: int = DEFAULT_MAX_PRICE_AGE_DAYS,
) -> list[Finding]:
    """Every finding for ``record``, in a stable order (empty: the decision holds).

    ``events`` maps provider keys to their ``(date, text)`` events; ``source`` names the
    record in error messages about its answers.
    """
    findings = _decision_findings(record, today, source)
    findings += _provider_findings(record, today, events)
    findings += _price_findings(record, today, max_price_age_days)
    findings += _model_findings(record, today)
    return findings


def _decision_findings(record: Record, today: dt.date, source: str) -> list[Finding]:
    if record.decision is None:
        return []
    from .advice import build_advice
    from .questionnaire import CORE_QUESTIONS, Answers, collect

    core = {q.key for q in CORE_QUESTIONS}
    values = collect(
        CORE_QUESTIONS,
        {k: v for k, v in record.answers.items() if k in core},
        source=source,
        interactive=False,
    )
    now = build_advice(Answers.from_mapping(values), today=today, overrides=record.costs).decision
    was = record.decision
    framework = _("framework {then} then, {now} now").format(
        then=was.get("framework_version"), now=now.framework_version
    )
    findings = []
    if now.recommendation != was.get("recommendation"):
        findings.append(
            Finding(
                "recommendation",
                _(
                    "recorded {was}, deciding again from the recorded answers gives {now} "
                    "({framework}); see `advisor decide`, then `advisor update` with the new "
                    "backends"
                ).format(
                    was=was.get("recommendation"), now=now.recommendation, framework=framework
                ),
            )
        )
    elif now.variant != was.get("variant"):
        findings.append(
            Finding(
                "variant",
                _("recorded {was} ({was_variant}), now {now} ({now_variant}) ({framework})").format(
                    was=was.get("recommendation"),
                    was_variant=was.get("variant") or _("default"),
                    now=now.recommendation,
                    now_variant=now.variant or _("default"),
                    framework=framework,
                ),
            )
        )
    return findings


def _provider_findings(
    record: Record, today: dt.date, events: Mapping[str, Sequence[tuple[dt.date, str]]]
) -> list[Finding]:
    findings = []
    for key, pending in sorted(record.providers.items()):
        if pending is None:
            continue
        since = dt.date.fromisoformat(pending)
        for date, text in sorted(events.get(key, ())):
            if since <= date <= today:
                findings.append(
                    Finding(
                        "provider",
                        _(
                            "{provider}: since {date} {event} (the project was rendered before "
                            "that); check the decision record's warnings and costs"
                        ).format(provider=key, date=date.isoformat(), event=text),
                    )
                )
    return findings


def _price_findings(record: Record, today: dt.date, max_age_days: int) -> list[Finding]:
    if record.prices is None:
        return []
    as_of = dt.date.fromisoformat(record.prices["as_of"])
    age = (today - as_of).days
    if age <= max_age_days:
        return []
    return [
        Finding(
            "prices",
            _(
                "the price book {version} of {date} is {age} days old (allowed: {allowed}); "
                "update the advisor and run `advisor update`"
            ).format(
                version=record.prices.get("version", ""),
                date=as_of.isoformat(),
                age=age,
                allowed=max_age_days,
            ),
        )
    ]


def _model_findings(record: Record, today: dt.date) -> list[Finding]:
    """Answers naming a model (keys ending in ``_model``) that has been shut down."""
    from .chat_models import lookup

    findings = []
    for key, value in sorted(record.answers.items()):
        if not (key.endswith("_model") and isinstance(value, str)):
            continue
        facts = lookup(value)
        if facts is not None and facts.retired(today):
            findings.append(
                Finding(
                    "model",
                    f"{key}: {facts.lifecycle(today)}; choose a current model and run "
                    f"`advisor update --set {key}=MODEL`",
                )
            )
    return findings
