"""The scaffold engine: a :class:`~advisor.scaffold.planning.Blueprint` in, a starter project out.

The starter skeleton (``templates/starter``) and each chosen backend's template dirs
render into a staging folder (:mod:`advisor.scaffold.render`); shared files are composed from the
backends' declared contributions (:mod:`advisor.scaffold.compose`); only when every file has
rendered does the result go into the target, all or nothing (:mod:`advisor.scaffold.placement`).
The contract with backends is docs/scaffold.md.

``docs/decision.md`` is the report ``advisor decide --format markdown -o
docs/decision.md`` writes, costs included, with its chart beside it; a project made
without a decision gets, in its place, the command that records one.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shlex
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__, i18n
from ..api import templates_path
from ..backends import Backend, ScaffoldContext
from ..costs import CostEstimate
from ..errors import InputError, ScaffoldError
from ..i18n import _, ngettext
from ..locations import PROJECT_CONFIG, user_config_path
from ..plugins import get_plugins
from ..questionnaire import CORE_QUESTIONS
from ..reports import chart_svg, render_markdown, to_dict
from .backup import back_up, discard
from .compose import Contributions, merge_contributions
from .placement import Policy, Step, commit, plan_writes, stop_signals_interrupt, target_lock
from .planning import Blueprint
from .record import (
    BackendVersion,
    Record,
    decision_summary,
    pending_provider_events,
    provider_event_dates,
    seal_record,
)
from .render import RenderedFile, Source, check_no_secrets, render_fragment, render_sources
from .selection import approaches_of, provider_notices

# Where the starter's decision record links its cost chart: beside it, as `decide -o` does.
COST_CHART = "decision-costs.svg"


@dataclass(frozen=True)
class Outcome:
    """What a scaffold did (or, for a dry run, would do), file by file."""

    steps: tuple[Step, ...]
    next_steps: tuple[str, ...]
    backup: Path | None = None


def scaffold(
    blueprint: Blueprint, policy: Policy, *, dry_run: bool = False, backup: bool = True
) -> Outcome:
    """Render the project into a temporary folder, then (unless ``dry_run``) commit it.

    With ``backup`` (the default), every file an ``overwrite`` step replaces is first
    copied under ``.advisor/backups/`` in the target (:mod:`advisor.scaffold.backup`).
    ``SIGTERM`` and ``SIGHUP`` stop it as Ctrl-C does, so the staging folder is removed
    and a half-done commit undone; the target is locked from planning to the last write.
    """
    saved = None
    with (
        stop_signals_interrupt(),
        tempfile.TemporaryDirectory(prefix="advisor-scaffold-") as staging,
    ):
        files, starter = render_project(blueprint, Path(staging))
        check_no_secrets(files.values(), secret_values(blueprint.backends))
        if dry_run:
            steps = plan_writes(blueprint.target, files, policy)
        else:
            with target_lock(blueprint.target):
                steps = plan_writes(blueprint.target, files, policy)
                replaced = [step.path for step in steps if step.action == "overwrite"]
                if backup and replaced:
                    saved = back_up(blueprint.target, replaced, dt.datetime.now(dt.UTC))
                try:
                    commit(blueprint.target, steps)
                except BaseException:
                    if saved is not None:
                        discard(saved)
                    raise
    return Outcome(tuple(steps), tuple(starter["next_steps"]), saved)


def base_context(blueprint: Blueprint) -> dict[str, Any]:
    """The variables every template sees (docs/scaffold.md, "Template variables")."""
    return {
        "project_name": blueprint.names.name,
        "project_slug": blueprint.names.slug,
        "package": blueprint.names.package,
        "answers": dict(blueprint.answers),
        "decision": decision_dict(blueprint),
        "backends": [b.name for b in blueprint.backends],
        "approaches": list(approaches_of(blueprint.backends)),
        "deployment": deployment_of(blueprint),
        "advisor_version": __version__,
    }


def deployment_of(blueprint: Blueprint) -> str:
    """The ``deployment`` answer; ``api`` when none was given (a project without a decision)."""
    return str(blueprint.answers.get("deployment", "api"))


def decision_dict(blueprint: Blueprint) -> dict[str, Any] | None:
    """The decision as ``advisor decide --format json`` writes it, or None without one."""
    if blueprint.decision is None:
        return None
    return to_dict(blueprint.decision, blueprint.costs)


def render_project(
    blueprint: Blueprint, staging: Path
) -> tuple[dict[PurePosixPath, RenderedFile], dict[str, Any]]:
    """Render every source into ``staging``; also return the skeleton's ``starter`` variables.

    Rendered in the project's language (``{% trans %}`` prose, the decision record),
    whatever the language of the messages around it.
    """
    with i18n.using(blueprint.language):
        return _render_project(blueprint, staging)


def _render_project(
    blueprint: Blueprint, staging: Path
) -> tuple[dict[PurePosixPath, RenderedFile], dict[str, Any]]:
    base = base_context(blueprint)
    backend_sources: list[tuple[Backend, list[Source]]] = []
    for backend in blueprint.backends:
        context = {**copy.deepcopy(base), **_extra_context(backend, blueprint)}
        label = f"backend {backend.name}"
        sources = [Source(label, backend.template_dir, context)]
        sources += [
            Source(f"{label} (include {part.name})", part, context) for part in backend.include
        ]
        backend_sources.append((backend, sources))
    team = None
    if blueprint.templates is not None:
        team = Source(
            f"--templates {blueprint.templates}",
            blueprint.templates,
            copy.deepcopy(base),
            sandboxed=True,
        )
    starter = starter_variables(blueprint, backend_sources, team)
    skeleton = Source(
        "starter skeleton", templates_path("starter"), {**copy.deepcopy(base), "starter": starter}
    )
    every = [skeleton, *(s for _, sources in backend_sources for s in sources)]
    if team is not None:
        every.append(team)
    files = render_sources(every, staging)
    seal_record({path: rendered.staged for path, rendered in files.items()})
    return files, starter


def _extra_context(backend: Backend, blueprint: Blueprint) -> Mapping[str, Any]:
    if backend.extra_context is None:
        return {}
    context = ScaffoldContext(
        project_name=blueprint.names.name,
        package=blueprint.names.package,
        answers=dict(blueprint.answers),
        backends=tuple(b.name for b in blueprint.backends),
        approaches=approaches_of(blueprint.backends),
        decision=decision_dict(blueprint),
        deployment=deployment_of(blueprint),
    )
    try:
        extra = backend.extra_context(context)
    except InputError:
        raise
    except Exception as exc:
        raise ScaffoldError(
            f"backend {backend.name}: extra_context raised {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(extra, Mapping):
        raise ScaffoldError(f"backend {backend.name}: extra_context returned {extra!r:.60}")
    return extra


def starter_variables(
    blueprint: Blueprint,
    backend_sources: list[tuple[Backend, list[Source]]],
    team: Source | None,
) -> dict[str, Any]:
    """What only the skeleton's templates see, as ``starter.*``: the composed contributions."""
    merged = merge_contributions(blueprint.backends, deployment_of(blueprint))
    sections = []
    for backend, sources in backend_sources:
        text = render_fragment(sources[0], "readme.md")
        if text is not None:
            sections.append({"title": backend.name, "text": text.strip()})
    if team is not None:
        text = render_fragment(team, "readme.md")
        if text is not None:
            sections.append({"title": _("Team templates"), "text": text.strip()})
    backend_steps = [
        rendered
        for backend, sources in _steps_order(backend_sources)
        for step in backend.next_steps
        if (rendered := sources[0].render_string(step, f"next step {step!r}")).strip()
    ]
    setup = setup_steps(merged)
    return {
        "dependencies": list(merged.dependencies),
        "dev_dependencies": list(merged.dev_dependencies),
        "env": [asdict(var) for var in merged.env],
        "gitignore": list(merged.gitignore),
        "commands": list(merged.commands),
        "eval_systems": list(merged.eval_systems),
        "readme_sections": sections,
        "notices": [
            {"backend": b, "text": t}
            for b, t in provider_notices(blueprint.backends, blueprint.today)
        ],
        "backend_details": [
            {"name": b.name, "description": b.description, "approaches": list(b.approaches)}
            for b in blueprint.backends
        ],
        "setup_steps": setup,
        "backend_steps": backend_steps,
        "next_steps": [*setup, *backend_steps, f"{blueprint.names.slug} evaluate"],
        **decision_record(blueprint),
        "record": make_record(blueprint).to_yaml(),
        "price_book": starter_price_book(blueprint),
    }


def starter_price_book(blueprint: Blueprint) -> dict[str, Any]:
    """The per-token prices the starter's ``evaluate`` turns reported usage into cost with
    (``evals/prices.json``): the price book's chat and embedding models, with the project's
    ``[costs]`` overrides, each entry with its ``as_of`` and ``source``."""
    from ..advice import load_price_data
    from ..costs import PriceBook

    book = PriceBook.from_data(load_price_data(), blueprint.cost_overrides)
    keep = (
        "input_per_1m",
        "output_per_1m",
        "fine_tuned_input_per_1m",
        "fine_tuned_output_per_1m",
        "per_1m",
        "as_of",
        "source",
    )

    def entries(section: str) -> dict[str, dict[str, Any]]:
        return {
            name: {
                key: str(entry[key]) if key == "as_of" else entry[key]
                for key in keep
                if key in entry
            }
            for name, entry in sorted(book.sections[section].items())
        }

    return {
        "version": book.version,
        "currency": "USD",
        "chat_models": entries("chat_models"),
        "embedding_models": entries("embedding_models"),
    }


def _steps_order(
    backend_sources: list[tuple[Backend, list[Source]]],
) -> list[tuple[Backend, list[Source]]]:
    """Retrieval backends' next steps first: in a hybrid, the fine-tuning data is built from
    the index (RAFT), so `ingest` comes before `train`. Otherwise composition order."""
    return sorted(backend_sources, key=lambda pair: "rag" not in pair[0].approaches)


def decision_record(blueprint: Blueprint) -> dict[str, Any]:
    """What ``docs/decision.md`` and its cost chart are made of (``starter.*``).

    With a decision: the Markdown report and chart ``advisor decide --format markdown -o
    docs/decision.md`` would write. Without: the required core answers still missing and
    the ``advisor decide`` command that records the decision, the answers given passed
    along with ``--set``.
    """
    if blueprint.decision is None:
        return {
            "decision_record": "",
            "cost_chart": "",
            "missing_answers": [
                q.key for q in CORE_QUESTIONS if q.required and q.key not in blueprint.answers
            ],
            "decide_command": decide_command(blueprint.answers),
        }
    costs = blueprint.costs
    return {
        "decision_record": render_markdown(
            blueprint.decision, costs, chart_href=COST_CHART if costs else None,
            today=blueprint.today,
        ),
        "cost_chart": chart_svg(costs, blueprint.decision) if costs else "",
        "missing_answers": [],
        "decide_command": "",
    }


def decide_command(answers: Mapping[str, Any]) -> str:
    """``advisor decide`` with the core answers already given, writing docs/decision.md."""
    words = ["advisor", "decide"]
    for question in CORE_QUESTIONS:
        if question.key in answers:
            words += ["--set", f"{question.key}={_set_value(answers[question.key])}"]
    words += ["--format", "markdown", "-o", "docs/decision.md"]
    return shlex.join(words)


def _set_value(value: Any) -> str:
    """An answer as ``--set`` reads it back (a YAML scalar): ``true``, ``5000``, ``light``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def setup_steps(merged: Contributions) -> list[str]:
    """The commands that make a fresh checkout of the starter run its tests."""
    steps = [
        "python3 -m venv .venv && . .venv/bin/activate",
        'pip install -e ".[dev]"',
    ]
    if merged.env:
        steps.append("cp .env.example .env  # " + _("then fill in the values"))
    steps.append("pytest && ruff check .")
    return steps


def make_record(blueprint: Blueprint) -> Record:
    """The ``.advisor.yml`` of this blueprint: deterministic, no secrets, no timestamps."""
    return Record(
        advisor_version=__version__,
        project_name=blueprint.names.name,
        backends=backend_versions(blueprint.backends),
        answers=dict(blueprint.answers),
        decision=decision_summary(decision_dict(blueprint)),
        templates=str(blueprint.templates) if blueprint.templates else None,
        costs=dict(blueprint.cost_overrides),
        providers=pending_provider_events(provider_event_dates(), blueprint.today),
        prices=price_book_entry(blueprint.costs),
        language=blueprint.language,
    )


def price_book_entry(costs: CostEstimate | None) -> dict[str, str] | None:
    """The price book the options were priced with: its version, its date, its oldest price.

    The book's date is its version (``2026.11.24``, bumped whenever a number changes);
    ``advisor check`` measures the book's age from it.
    """
    if costs is None:
        return None
    try:
        issued = dt.datetime.strptime(costs.price_book_version, "%Y.%m.%d").date()
    except ValueError:
        issued = costs.as_of
    if issued is None:
        return None
    entry = {"version": costs.price_book_version, "as_of": issued.isoformat()}
    if costs.as_of is not None:
        entry["oldest_price"] = costs.as_of.isoformat()
    return entry


def backend_versions(backends: tuple[Backend, ...]) -> tuple[BackendVersion, ...]:
    """Each backend with the distribution (and version) that registered it."""
    plugins = get_plugins()
    found = []
    for backend in backends:
        info = plugins.backend_owner(backend.name)
        found.append(BackendVersion(backend.name, info.distribution, info.version))
    return tuple(found)


def secret_values(backends: tuple[Backend, ...]) -> dict[str, str]:
    """Current values of the secrets the project must not hold: the secret variables the
    backends read, and the keys in ``advisor.toml`` or the user's config file."""
    names = {var.name for b in backends for var in b.env if var.secret}
    names |= {f"ADVISOR_{name}" for name in names}
    found = {name: os.environ[name] for name in sorted(names) if os.environ.get(name)}
    if PROJECT_CONFIG.is_file() or user_config_path().is_file():
        from ..settings import load_settings

        for index, value in enumerate(load_settings().secret_values()):
            found[f"setting {index + 1} of the advisor configuration"] = value
    return found


def report_lines(outcome: Outcome, target: Path, dry_run: bool) -> list[str]:
    """The per-file report: one line per file, then a count.

    The actions (``create``, ``overwrite``, ``skip``...) are the same words in every
    language, like ``git status``'s, so a script can read the lines; the sentences around
    them are translated.
    """
    lines = [f"  {step.action:<9} {step.path}" for step in outcome.steps]
    counts: dict[str, int] = {}
    for step in outcome.steps:
        counts[step.action] = counts.get(step.action, 0) + 1
    summary = ", ".join(f"{n} {action}" for action, n in counts.items())
    if dry_run:
        done = _("Dry run, nothing written: would write {target}: {summary}.")
    else:
        done = _("Wrote {target}: {summary}.")
    lines.append(done.format(target=target, summary=summary))
    if outcome.backup is not None:
        replaced = sum(step.action == "overwrite" for step in outcome.steps)
        backed_up = ngettext(
            "Backed up the {count} replaced file to {folder}",
            "Backed up the {count} replaced files to {folder}",
            replaced,
        )
        lines.append(backed_up.format(count=replaced, folder=outcome.backup))
    return lines


def closing_lines(outcome: Outcome, target: Path) -> list[str]:
    """The next commands to run in the new project."""
    return ["", _("Next steps:"), f"  cd {shlex.quote(str(target))}"] + [
        f"  {step}" for step in outcome.next_steps
    ]
