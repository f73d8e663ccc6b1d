"""What to scaffold: settle the names, answers, decision and backends before rendering.

Answers come in two rounds because backends ask questions of their own and which
backends are used depends on the decision: first the core questions (or a saved
``--decision``), then the chosen backends' questions. Every key given is checked up front
against all installed backends' questions, so a typo fails before any prompt.

A decision is optional only where it picks nothing: when the backends are named
(``--backend``, or a record's) and the core answers are incomplete, the project is made
without one (docs/scaffold.md, "Without a decision"). Without named backends the
decision is what picks them, so missing core answers stay an error.
"""

from __future__ import annotations

import datetime as dt
import keyword
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import i18n
from ..advice import build_advice, load_cost_overrides
from ..backends import Backend
from ..costs import CostEstimate
from ..errors import InputError, ScaffoldError
from ..framework import Decision, decide
from ..i18n import _
from ..questionnaire import CORE_QUESTIONS, Answers, Question, check_keys, coerce, collect
from .compose import dependency_modules
from .record import Record, load_record
from .selection import approaches_of, choose_backends, load_decision, provider_notices

_NAME_HELP = "a name with ASCII letters or digits that starts with a letter, e.g. my-bot"


@dataclass(frozen=True)
class ProjectNames:
    """``project_name`` as given, its distribution ``slug`` and import ``package``."""

    name: str
    slug: str
    package: str


def project_names(
    name: str, option: str = "--name", dependencies: frozenset[str] = frozenset()
) -> ProjectNames:
    """Derive slug and package from a project name (docs/scaffold.md), or refuse it.

    ``dependencies`` are the modules the project imports from its dependencies: a package
    named like one (``pytest``, ``click``) would shadow it in the project's own tests.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    package = slug.replace("-", "_")
    if not name.isprintable() or len(name) > 64 or not slug or not slug[0].isalpha():
        raise InputError(f"{option} {name!r}: not a usable project name (allowed: {_NAME_HELP})")
    if keyword.iskeyword(package) or package in sys.stdlib_module_names:
        raise InputError(
            f"{option} {name!r}: its package {package!r} would shadow Python's own "
            f"{package!r} module (allowed: {_NAME_HELP}, not a standard-library name)"
        )
    if package in dependencies:
        raise InputError(
            f"{option} {name!r}: its package {package!r} would shadow the project's dependency "
            f"{package!r} (allowed: {_NAME_HELP}, not the name of a dependency)"
        )
    return ProjectNames(name, slug, package)


@dataclass(frozen=True)
class Blueprint:
    """Everything a render needs, settled and validated before a file is touched.

    ``decision`` and ``costs`` are both None when the backends were named and the core
    answers were not all given. ``cost_overrides`` is the ``[costs]`` table the costs were
    priced with (recorded, so the project can be made again elsewhere); ``today`` dates
    the provider notices and the costs. ``language`` is the one its README and
    ``docs/decision.md`` are written in (its code is the same in every language).
    """

    target: Path
    names: ProjectNames
    backends: tuple[Backend, ...]
    answers: Mapping[str, Any]
    decision: Decision | None
    templates: Path | None = None
    costs: CostEstimate | None = None
    cost_overrides: Mapping[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    language: str = i18n.SOURCE_LANGUAGE


@dataclass(frozen=True)
class ScaffoldRequest:
    """What the user asked for, as the CLI parsed it.

    ``provided`` holds answers from ``--answers``/``--set``; ``questions`` the core
    questions plus those plugins registered; ``ask_all`` prompts every question (first
    run, no answers given) instead of only missing required ones. ``today`` dates the
    provider notices and prices the options; tests pin it. ``language`` is the one
    ``--lang`` named on the command line; None means the record's language when the
    project is made again from one, else the language in use (``ADVISOR_LANG``, the
    locale).
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
    today: dt.date = field(default_factory=dt.date.today)
    trust_templates: bool = False
    language: str | None = None


def plan_scaffold(
    request: ScaffoldRequest, available: Mapping[str, Backend], echo: Callable[[str], None]
) -> tuple[Blueprint, Record | None]:
    """Turn a request into a :class:`Blueprint`; ``echo`` prints progress on stderr.

    The decision, the chosen backends and their providers' notices are shown before the
    backends' own questions are asked.
    """

    def note(text: str) -> None:
        echo(_("Note: {text}").format(text=text))

    record = load_record(request.record_file) if request.record_file else None
    language = project_language(request, record)
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

    if request.backend_names:
        names, where = request.backend_names, "--backend"
    elif record is not None:
        names = tuple(b.name for b in record.backends)
        where = f"--answers-from {request.record_file}: backend"
    else:
        names, where = (), "--backend"

    decision: Decision | None = None
    costs: CostEstimate | None = None
    overrides: dict[str, Any] = {}
    if request.decision_file is not None:
        saved = load_decision(request.decision_file)
        values = _answers_with_decision(request, saved, core_given, source, note)
        decision, costs, overrides = _advice(saved.answers, request, record, language, saved)
    else:
        values, complete = _core_answers(
            request, core_given, source, ask_all, record, bool(names), note
        )
        if complete:
            answers = Answers.from_mapping(values)
            decision, costs, overrides = _advice(answers, request, record, language)

    approaches = decision.approaches if decision is not None else ()
    backends = choose_backends(available, approaches, names, source=where)
    if decision is not None and costs is not None:
        path = fine_tune_path_of(backends, request.today)
        if path is not None and path != costs.fine_tune_path:
            # docs/decision.md prices the fine-tuning path this project is built with.
            overrides = {**overrides, "fine_tune_path": path}
            with i18n.using(language):
                repriced = build_advice(decision.answers, today=request.today, overrides=overrides)
            costs = repriced.costs
            if request.decision_file is None:
                decision = repriced.decision
    chosen = ", ".join(b.name for b in backends)
    if decision is None:
        echo(_("No decision -> backends: {backends}").format(backends=chosen))
    else:
        if request.backend_names and set(approaches_of(backends)) != set(approaches):
            note(
                _("the decision is {decision}; scaffolding {approaches} as --backend asks").format(
                    decision=decision.recommendation,
                    approaches=" + ".join(approaches_of(backends)),
                )
            )
        echo(
            _("Decision: {decision} -> backends: {backends}").format(
                decision=decision.label, backends=chosen
            )
        )
    for backend, text in provider_notices(backends, request.today):
        echo(_("Notice ({backend}): {text}").format(backend=backend, text=text))
    deployment = values.get("deployment", "api")
    for backend in backends:
        if deployment != "api" and backend.provider:
            note(
                _(
                    "deployment {deployment}: backend {backend} sends the data to its "
                    "provider ({provider}); an open-weights backend (hf-lora) keeps it on "
                    "your infrastructure (docs/deployment.md)"
                ).format(deployment=deployment, backend=backend.name, provider=backend.provider)
            )

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
        note(
            _("{source}: {key!r} is a question of a backend not chosen; ignored").format(
                source=source, key=key
            )
        )

    taken = dependency_modules(backends)
    if request.name is not None:
        project = project_names(request.name, dependencies=taken)
    elif record is not None:
        where = f"--answers-from {request.record_file}: name"
        project = project_names(record.project_name, where, taken)
    else:
        folder = Path(os.path.abspath(request.target)).name
        project = project_names(folder, "target folder name (or give --name)", taken)
    return (
        Blueprint(
            target=request.target,
            names=project,
            backends=backends,
            answers=values,
            decision=decision,
            templates=_templates_dir(request, record, echo),
            costs=costs,
            cost_overrides=overrides,
            today=request.today,
            language=language,
        ),
        record,
    )


def project_language(request: ScaffoldRequest, record: Record | None) -> str:
    """The language of the project's prose: ``--lang``, else the record's, else the one in use.

    A project keeps its language across ``advisor update`` and ``--answers-from`` unless
    ``--lang`` says otherwise: the environment describes who runs the command, the
    record describes the project.
    """
    if request.language is not None:
        return request.language
    if record is None:
        return i18n.language()
    if record.language not in i18n.available():
        raise InputError(
            f"{request.record_file}: language: {record.language!r} has no catalog in this "
            f"advisor (available: {', '.join(i18n.available())}); choose one with --lang"
        )
    return record.language


def _core_answers(
    request: ScaffoldRequest,
    core_given: Mapping[str, Any],
    source: str,
    ask_all: bool,
    record: Record | None,
    backends_named: bool,
    note: Callable[[str], None],
) -> tuple[dict[str, Any], bool]:
    """The core answers, and whether they are complete enough to decide from.

    Incomplete answers are accepted only when backends are named: without input, or
    when a record made without a decision is made again, with one note; interactively
    the user is first offered the questions (default yes), as a copier or cookiecutter
    prompt would. Otherwise every missing required answer is asked for, or is an error.
    """
    questions = {q.key: q for q in request.questions}
    missing = [key for key, q in questions.items() if q.required and key not in core_given]
    if backends_named and missing:
        remade_without = record is not None and record.decision is None
        if not request.interactive or remade_without or not _want_questions():
            note(
                _(
                    "no decision recorded (missing required answers: {missing}); using the "
                    "named backends, and docs/decision.md says how to record one"
                ).format(missing=", ".join(missing))
            )
            given = {k: coerce(questions[k], v, source) for k, v in core_given.items()}
            return given, False
    values = collect(
        request.questions,
        core_given,
        source=source,
        interactive=request.interactive,
        ask_all=ask_all,
    )
    return values, True


def _want_questions() -> bool:
    import click

    answer: bool = click.confirm(
        _(
            "The backends are named, so a decision is optional. Answer the questions that "
            "record why they fit (docs/decision.md)?"
        ),
        default=True,
        err=True,
    )
    return answer


def fine_tune_path_of(backends: Sequence[Backend], today: dt.date) -> str | None:
    """The fine-tuning path the chosen backends build, to price it in docs/decision.md.

    ``hosted`` when a fine-tuning backend trains through a provider that still takes
    jobs; ``open-weights`` otherwise; None without a fine-tuning backend.
    """
    from ..providers import load_providers

    tuners = [b for b in backends if "fine-tune" in b.approaches]
    if not tuners:
        return None
    statuses = load_providers()
    open_ = [
        b
        for b in tuners
        if b.provider and not (b.provider in statuses and statuses[b.provider].closed(today))
    ]
    return "hosted" if open_ else "open-weights"


def _advice(
    answers: Answers,
    request: ScaffoldRequest,
    record: Record | None,
    language: str,
    saved: Decision | None = None,
) -> tuple[Decision, CostEstimate, dict[str, Any]]:
    """The decision with its dated warnings, its costs, and the ``[costs]`` overrides used.

    Decided and priced as ``advisor decide`` does: the shipped price book plus the
    ``[costs]`` table of the configuration, or of the record when a project is made again
    (so one record gives the same costs on any machine). A ``saved`` decision is kept as
    it was saved, warnings included; only its costs are computed. Reasons and warnings are
    worded in the project's ``language``.
    """
    overrides = dict(record.costs) if record is not None else load_cost_overrides()
    with i18n.using(language):
        advice = build_advice(answers, today=request.today, overrides=overrides)
    return saved or advice.decision, advice.costs, overrides


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
            _(
                "--decision {file} says {decision}; this advisor would decide differently "
                "from the same answers. Using the saved decision."
            ).format(file=request.decision_file, decision=decision.recommendation)
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


def _templates_dir(
    request: ScaffoldRequest,
    record: Record | None,
    echo: Callable[[str], None] = lambda text: None,
) -> Path | None:
    """The template dir to render, sandboxed: ``--templates``, or the record's when trusted.

    A record's ``templates:`` comes from whoever wrote the repository, not from the user,
    so it is resolved against the record's own folder, printed, and used only with
    ``--trust-templates``.
    """
    if request.templates is not None:
        path, option = request.templates, "--templates"
    elif record is not None and record.templates:
        option = f"--answers-from {request.record_file}: templates"
        path = Path(record.templates)
        if not path.is_absolute() and request.record_file is not None:
            path = request.record_file.parent / path
        if not request.trust_templates:
            raise InputError(
                f"{option} {path}: the record asks to render this template dir; it comes "
                "from the repository, not from you. Look at it, then re-run with "
                "--trust-templates to render it (sandboxed), or name one with --templates"
            )
        echo(
            _("Templates: {path} (from {record}, trusted with --trust-templates)").format(
                path=path, record=request.record_file
            )
        )
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
