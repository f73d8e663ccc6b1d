"""``.advisor.yml``: how a generated project was made, and how to make it again.

The record holds the advisor's version, the project name, each backend with the
version of the distribution that provided it, a ``--templates`` dir if one was used,
every answer (core and backend questions), the ``[costs]`` overrides the options were
priced with, and a summary of the decision (``null`` when the backends were named and
no decision was made). Answers are typed questionnaire values, never secrets; keys live
in ``.env``, which is git-ignored. ``advisor scaffold NEW_DIR --answers-from
OLD/.advisor.yml`` reads it back and, with the same advisor and backend versions,
renders a byte-identical project. Nothing in it depends on the folder it was rendered
in, and no timestamp is kept: the provider notices and ``docs/decision.md``'s date, id
and revisit dates are those of the day of rendering (a re-render on another day differs
in those dated lines only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .questionnaire import load_answers_file

RECORD_FILE = ".advisor.yml"


@dataclass(frozen=True)
class BackendVersion:
    name: str
    distribution: str
    version: str


@dataclass(frozen=True)
class Record:
    """A parsed ``.advisor.yml``."""

    advisor_version: str
    project_name: str
    backends: tuple[BackendVersion, ...]
    answers: Mapping[str, Any]
    decision: Mapping[str, Any] | None
    templates: str | None = None
    costs: Mapping[str, Any] = field(default_factory=dict)

    def to_yaml(self) -> str:
        data = {
            "advisor_version": self.advisor_version,
            "project_name": self.project_name,
            "backends": [
                {"name": b.name, "distribution": b.distribution, "version": b.version}
                for b in self.backends
            ],
            "templates": self.templates,
            "answers": dict(self.answers),
            "costs": dict(self.costs),
            "decision": dict(self.decision) if self.decision is not None else None,
        }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def decision_summary(decision: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The part of a decision the record keeps; the full record is docs/decision.md."""
    if decision is None:
        return None
    return {
        "recommendation": decision["recommendation"],
        "variant": decision["variant"],
        "confidence": decision["confidence"],
        "framework_version": decision["framework_version"],
        "reasons": [r["key"] for r in decision["reasons"]],
    }


def load_record(path: Path) -> Record:
    """Read a ``.advisor.yml``, refusing anything that is not one with a one-line error."""
    data = load_answers_file(path)
    where = f"--answers-from {path}"

    def get(key: str, kind: type, allowed: str) -> Any:
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(
                f"{where}: {key}: {value!r:.60} is not {allowed} (is this an {RECORD_FILE}?)"
            )
        return value

    backends: list[BackendVersion] = []
    for entry in get("backends", list, "a list of backends"):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise InputError(f"{where}: backends: {entry!r:.60} has no name")
        backends.append(
            BackendVersion(name, str(entry.get("distribution", "")), str(entry.get("version", "")))
        )
    templates = data.get("templates")
    if templates is not None and not isinstance(templates, str):
        raise InputError(f"{where}: templates: {templates!r:.60} is not a path or null")
    decision = data.get("decision")
    if "decision" not in data or (decision is not None and not isinstance(decision, dict)):
        raise InputError(
            f"{where}: decision: {decision!r:.60} is not a decision summary or null "
            f"(is this an {RECORD_FILE}?)"
        )
    costs = data.get("costs", {})  # records made before costs were kept have none
    if not isinstance(costs, dict):
        raise InputError(f"{where}: costs: {costs!r:.60} is not a mapping of cost overrides")
    return Record(
        advisor_version=str(get("advisor_version", str, "a version")),
        project_name=get("project_name", str, "a project name"),
        backends=tuple(backends),
        answers=get("answers", dict, "a mapping of answers"),
        decision=decision,
        templates=templates,
        costs=costs,
    )


def version_notes(record: Record, current: str, backends: Sequence[BackendVersion]) -> list[str]:
    """Warnings when the advisor or a backend differs from the one that made the record."""
    notes = []
    if record.advisor_version != current:
        notes.append(
            f"the project was made by advisor {record.advisor_version}, this is {current}: "
            "the files may differ"
        )
    recorded = {b.name: b.version for b in record.backends}
    for backend in backends:
        was = recorded.get(backend.name)
        if was is not None and was != backend.version:
            notes.append(
                f"backend {backend.name} was {was or 'unversioned'}, now "
                f"{backend.version or 'unversioned'}: its files may differ"
            )
    return notes
