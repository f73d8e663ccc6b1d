"""``.advisor.yml``: how a generated project was made, and how to make it again.

The record holds the advisor's version, the project name, the language its prose
(README, ``docs/decision.md``) was written in (``en`` when a record made before
languages has none), each backend with the
version of the distribution that provided it, a ``--templates`` dir if one was used,
every answer (core and backend questions), the ``[costs]`` overrides the options were
priced with, and a summary of the decision (``null`` when the backends were named and
no decision was made). Answers are typed questionnaire values, never secrets; keys live
in ``.env``, which is git-ignored. ``advisor scaffold NEW_DIR --answers-from
OLD/.advisor.yml`` reads it back and, with the same advisor and backend versions,
renders a byte-identical project. Nothing in it depends on the folder it was rendered
in, and no timestamp is kept in it: the provider notices are dated by the day of rendering
and read the same until a provider's next dated event passes; ``docs/decision.md``'s date,
id and revisit dates are those of the day of rendering (a re-render on another day differs
in those dated lines only).

Three more entries let ``advisor update`` and ``advisor check`` work later (docs/scaffold.md,
"Recorded state"): ``providers`` holds, per provider, the date of its next dated event
that had not passed when the project was rendered (``null`` once all have), which is all
the render depended on from the calendar; ``prices`` the price book's version, its date
and the date of its oldest price; ``files`` each generated file's git blob id (what ``git
hash-object`` prints), which verifies a re-rendered base and finds the file's pristine
content in the project's git history when the templates have changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..errors import InputError
from ..i18n import SOURCE_LANGUAGE, _
from ..questionnaire import load_answers_file

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
    providers: Mapping[str, str | None] = field(default_factory=dict)
    prices: Mapping[str, str] | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    language: str = SOURCE_LANGUAGE

    def to_yaml(self) -> str:
        data = {
            "advisor_version": self.advisor_version,
            "project_name": self.project_name,
            "language": self.language,
            "backends": [
                {"name": b.name, "distribution": b.distribution, "version": b.version}
                for b in self.backends
            ],
            "templates": self.templates,
            "answers": dict(self.answers),
            "costs": dict(self.costs),
            "decision": dict(self.decision) if self.decision is not None else None,
            "providers": dict(self.providers),
            "prices": dict(self.prices) if self.prices is not None else None,
        }
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        return text + files_yaml(self.files) if self.files else text


def files_yaml(files: Mapping[str, str]) -> str:
    """The record's ``files:`` entry: each generated file's blob id, by path."""
    return yaml.safe_dump({"files": dict(sorted(files.items()))}, sort_keys=False, width=100)


def blob_id(content: bytes) -> str:
    """The id git gives ``content`` as a blob (``git hash-object``): finds it in history."""
    header = b"blob %d\0" % len(content)
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


def seal_record(files: Mapping[PurePosixPath, Path]) -> None:
    """Append the blob id of every staged file to the staged ``.advisor.yml``.

    ``files`` maps project paths to their staged copies. The record cannot hash itself,
    and the rest is only known once rendered, so the entry is added after the render.
    """
    record = files.get(PurePosixPath(RECORD_FILE))
    if record is None:
        return
    ids = {
        path.as_posix(): blob_id(staged.read_bytes())
        for path, staged in files.items()
        if path.as_posix() != RECORD_FILE
    }
    record.write_text(record.read_text("utf-8") + files_yaml(ids), "utf-8")


def provider_event_dates() -> dict[str, list[dt.date]]:
    """Every provider's dated events (data/providers.yaml), by provider key.

    Providers without dated events are left out: nothing about them can change a render.
    """
    from ..providers import load_providers

    return {
        key: [e.date for e in status.events]
        for key, status in load_providers().items()
        if status.events
    }


def pending_provider_events(
    events: Mapping[str, Sequence[dt.date]], today: dt.date
) -> dict[str, str | None]:
    """Per provider, its next event after ``today`` (ISO date), or None when all have passed.

    Between two events every render reads the same, so this (not the date) is recorded.
    """
    pending: dict[str, str | None] = {}
    for key in sorted(events):
        upcoming = sorted(d for d in events[key] if d > today)
        pending[key] = upcoming[0].isoformat() if upcoming else None
    return pending


def rendering_date(
    pending: Mapping[str, str | None], events: Mapping[str, Sequence[dt.date]], fallback: dt.date
) -> dt.date:
    """A date on which every provider stood where ``pending`` says: renders as that day did.

    The latest event already passed then (an event counts from its own day on); with none
    passed, the day before the earliest pending one; with no providers, ``fallback``.
    """
    passed: list[dt.date] = []
    upcoming: list[dt.date] = []
    for key, when in pending.items():
        limit = dt.date.fromisoformat(when) if when else None
        passed += [d for d in events.get(key, ()) if limit is None or d < limit]
        if limit is not None:
            upcoming.append(limit)
    if passed:
        return max(passed)
    if upcoming:
        return min(upcoming) - dt.timedelta(days=1)
    return fallback


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


def load_record(path: Path, where: str | None = None) -> Record:
    """Read a ``.advisor.yml``, refusing anything that is not one with a one-line error.

    ``where`` starts each error message (default: ``--answers-from PATH``).
    """
    data = load_answers_file(path)
    where = where or f"--answers-from {path}"

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
    language = data.get("language", SOURCE_LANGUAGE)  # records made before it: English
    if not isinstance(language, str) or not language.isascii() or not language.isalpha():
        raise InputError(f"{where}: language: {language!r:.40} is not a language code (en, ko)")
    costs = data.get("costs", {})  # records made before costs were kept have none
    if not isinstance(costs, dict):
        raise InputError(f"{where}: costs: {costs!r:.60} is not a mapping of cost overrides")
    return Record(
        advisor_version=str(get("advisor_version", str, "a version")),
        providers=_providers(data.get("providers", {}), where),
        prices=_prices(data.get("prices"), where),
        files=_files(data.get("files", {}), where),
        project_name=get("project_name", str, "a project name"),
        backends=tuple(backends),
        answers=get("answers", dict, "a mapping of answers"),
        decision=decision,
        templates=templates,
        costs=costs,
        language=language,
    )


def _providers(value: Any, where: str) -> dict[str, str | None]:
    """``providers``: provider key -> ISO date of its next pending event, or null."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: providers: {value!r:.60} is not a mapping of provider dates")
    value = {k: _iso(v) for k, v in value.items()}
    for key, when in value.items():
        if when is not None and not _is_iso_date(when):
            raise InputError(
                f"{where}: providers: {key}: {when!r:.40} is not an ISO date (YYYY-MM-DD) or null"
            )
    return {str(k): v for k, v in value.items()}


def _prices(value: Any, where: str) -> dict[str, str] | None:
    """``prices``: the price book's ``version``, its date ``as_of``, its ``oldest_price``."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = {**value, "as_of": _iso(value.get("as_of"))}
    if not isinstance(value, dict) or not _is_iso_date(value.get("as_of")):
        raise InputError(
            f"{where}: prices: {value!r:.60} is not a price book entry "
            "(version, and as_of as YYYY-MM-DD)"
        )
    entry = {"version": str(value.get("version", "")), "as_of": value["as_of"]}
    oldest = _iso(value.get("oldest_price"))
    if _is_iso_date(oldest):
        entry["oldest_price"] = oldest
    return entry


def _files(value: Any, where: str) -> dict[str, str]:
    """``files``: project path -> git blob id (40 hex digits)."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: files: {value!r:.60} is not a mapping of paths to blob ids")
    for path, digest in value.items():
        parts = PurePosixPath(str(path)).parts
        if not parts or str(path).startswith("/") or ".." in parts or "\\" in str(path):
            raise InputError(f"{where}: files: {path!r:.60} is not a path inside the project")
        if not isinstance(digest, str) or len(digest) != 40 or not _is_hex(digest):
            raise InputError(f"{where}: files: {path}: {digest!r:.50} is not a git blob id")
    return {str(k): v for k, v in value.items()}


def _iso(value: Any) -> Any:
    """A date YAML read as a date (written unquoted by hand) back to its ISO text."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def version_notes(record: Record, current: str, backends: Sequence[BackendVersion]) -> list[str]:
    """Warnings when the advisor or a backend differs from the one that made the record."""
    notes = []
    if record.advisor_version != current:
        notes.append(
            _("the project was made by advisor {then}, this is {now}: the files may differ").format(
                then=record.advisor_version, now=current
            )
        )
    recorded = {b.name: b.version for b in record.backends}
    for backend in backends:
        was = recorded.get(backend.name)
        if was is not None and was != backend.version:
            notes.append(
                _("backend {backend} was {then}, now {now}: its files may differ").format(
                    backend=backend.name,
                    then=was or _("unversioned"),
                    now=backend.version or _("unversioned"),
                )
            )
    return notes
