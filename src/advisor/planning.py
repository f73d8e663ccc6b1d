"""What to scaffold: settle the names, answers, decision and backends before rendering.

Answers come in two rounds because backends ask questions of their own and which
backends are used depends on the decision: first the core questions (or a saved
``--decision``), then the chosen backends' questions. Every key given is checked up front
against all installed backends' questions, so a typo fails before any prompt.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import Backend
from .errors import InputError, ScaffoldError
from .framework import Decision, decide
from .questionnaire import CORE_QUESTIONS, Answers, Question, check_keys, coerce, collect
from .record import Record, load_record
from .selection import approaches_of, choose_backends, load_decision, provider_notices

_NAME_HELP = "a name with ASCII letters or digits that starts with a letter, e.g. my-bot"


@dataclass(frozen=True)
class ProjectNames:
    """``project_name`` as given, its distribution ``slug`` and import ``package``."""

    name: str
    slug: str
    package: str


def project_names(name: str, option: str = "--name") -> ProjectNames:
    """Derive slug and package from a project name (docs/scaffold.md), or refuse it."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    package = slug.replace("-", "_")
    if not name.isprintable() or len(name) > 64 or not slug or not slug[0].isalpha():
        raise InputError(f"{option} {name!r}: not a usable project name (allowed: {_NAME_HELP})")
    if keyword.iskeyword(package) or package in sys.stdlib_module_names:
        raise InputError(
            f"{option} {name!r}: its package {package!r} would shadow Python's own "
            f"{package!r} module (allowed: {_NAME_HELP}, not a standard-library name)"
        )
    return ProjectNames(name, slug, package)


@dataclass(frozen=True)
class Blueprint:
    """Everything a render needs, settled and validated before a file is touched."""

    target: Path
    names: ProjectNames
    backends: tuple[Backend, ...]
    answers: Mapping[str, Any]
    decision: Decision
    templates: Path | None = None


@dataclass(frozen=True)
class ScaffoldRequest:
    """What the user asked for, as the CLI parsed it.

    ``provided`` holds answers from ``--answers``/``--set``; ``questions`` the core
    questions plus those plugins registered; ``ask_all`` prompts every question (first
    run, no answers given) instead of only missing required ones.
    """

    target: Path
    provided: Mapping[str, Any] = field(default_factory=dict)
    source: str = "--set"
    questions: tuple[Question, ...] = CORE_QUESTIONS
    interactive: bool = False
    ask_all: bool = False
    decision_file: Path | None = None
    backend_names: tuple[str, ...] = ()
    name: str | None = None
    templates: Path | None = None
    record_file: Path | None = None


def plan_scaffold(
    request: ScaffoldRequest, available: Mapping[str, Backend], echo: Callable[[str], None]
) -> tuple[Blueprint, Record | None]:
    """Turn a request into a :class:`Blueprint`; ``echo`` prints progress on stderr.

    The decision, the chosen backends and their providers' notices are shown before the
    backends' own questions are asked.
    """

    def note(text: str) -> None:
        echo(f"Note: {text}")

    record = load_record(request.record_file) if request.record_file else None
    provided: dict[str, Any] = dict(record.answers) if record else {}
    provided.update(request.provided)
    source = request.source
    if record and not request.provided:
        source = f"--answers-from {request.record_file}"
    interactive = request.interactive
    ask_all = request.ask_all and record is None

    every_backend_question = {q.key: q for b in available.values() for q in b.questions}
    check_keys(provided, [*request.questions, *every_backend_question.values()], source)
    core_keys = {q.key for q in request.questions}
    core_given = {k: v for k, v in provided.items() if k in core_keys}

    if request.decision_file is not None:
        decision = load_decision(request.decision_file)
        values = _answers_with_decision(request, decision, core_given, source, note)
    else:
        values = collect(
            request.questions, core_given, source=source, interactive=interactive, ask_all=ask_all
        )
        decision = decide(Answers.from_mapping(values))

    if request.backend_names:
        names, where = request.backend_names, "--backend"
    elif record is not None:
        names = tuple(b.name for b in record.backends)
        where = f"--answers-from {request.record_file}: backend"
    else:
        names, where = (), "--backend"
    backends = choose_backends(available, decision.approaches, names, source=where)
    if request.backend_names and set(approaches_of(backends)) != set(decision.approaches):
        note(
            f"the decision is {decision.recommendation}; scaffolding "
            f"{' + '.join(approaches_of(backends))} as --backend asks"
        )
    echo(
        f"Decision: {decision.label} -> backends: {', '.join(b.name for b in backends)}"
    )
    for backend, text in provider_notices(backends):
        echo(f"Notice ({backend}): {text}")

    questions = backend_questions(backends)
    chosen_keys = {q.key for q in questions}
    values.update(
        collect(
            questions,
            {k: v for k, v in provided.items() if k in chosen_keys},
            source=source,
            interactive=interactive,
            ask_all=ask_all,
        )
    )
    for key in sorted(set(provided) - core_keys - chosen_keys):
        note(f"{source}: {key!r} is a question of a backend not chosen; ignored")

    if request.name is not None:
        project = project_names(request.name)
    elif record is not None:
        project = project_names(record.project_name, f"--answers-from {request.record_file}: name")
    else:
        folder = Path(os.path.abspath(request.target)).name
        project = project_names(folder, "target folder name (or give --name)")
    return (
        Blueprint(
            target=request.target,
            names=project,
            backends=backends,
            answers=values,
            decision=decision,
            templates=_templates_dir(request, record),
        ),
        record,
    )


def _answers_with_decision(
    request: ScaffoldRequest,
    decision: Decision,
    core_given: Mapping[str, Any],
    source: str,
    note: Callable[[str], None],
) -> dict[str, Any]:
    """The saved decision's core answers plus plugin questions; contradictions refused."""
    saved = decision.answers.to_dict()
    questions = {q.key: q for q in request.questions}
    for key, value in core_given.items():
        if key in saved and coerce(questions[key], value, source) != saved[key]:
            raise InputError(
                f"{source}: {key}: {value!r} contradicts --decision {request.decision_file}, "
                f"made with {key}={saved[key]!r} (decide again, or leave {key} out)"
            )
    extra = [q for q in request.questions if q.key not in saved]
    values = dict(saved)
    values.update(
        collect(
            extra,
            {k: v for k, v in core_given.items() if k not in saved},
            source=source,
            interactive=request.interactive,
            ask_all=request.ask_all,
        )
    )
    if decide(decision.answers).recommendation != decision.recommendation:
        note(
            f"--decision {request.decision_file} says {decision.recommendation}; this advisor "
            "would decide differently from the same answers. Using the saved decision."
        )
    return values


def backend_questions(backends: Sequence[Backend]) -> tuple[Question, ...]:
    """The chosen backends' questions; one key asked differently by two is refused."""
    found: dict[str, tuple[str, Question]] = {}
    for backend in backends:
        for question in backend.questions:
            earlier = found.setdefault(question.key, (backend.name, question))
            if earlier[1] != question:
                raise ScaffoldError(
                    f"backends {earlier[0]} and {backend.name} both ask {question.key!r}, "
                    "differently; one of them must rename its question"
                )
    return tuple(question for _, question in found.values())


def _templates_dir(request: ScaffoldRequest, record: Record | None) -> Path | None:
    if request.templates is not None:
        path, option = request.templates, "--templates"
    elif record is not None and record.templates:
        path, option = Path(record.templates), f"--answers-from {request.record_file}: templates"
    else:
        return None
    if not path.is_dir():
        raise InputError(f"{option} {path}: not a folder")
    if not (path / "files").is_dir() and not (path / "readme.md").is_file():
        raise InputError(
            f"{option} {path}: has neither files/ nor readme.md (laid out like a backend's "
            "template dir, see docs/scaffold.md)"
        )
    return path.resolve()
