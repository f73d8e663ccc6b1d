"""The ``advisor`` command line: parse options, call one function, print its result.

Shell completion is click's: ``eval "$(_ADVISOR_COMPLETE=bash_source advisor)"`` (or
``zsh_source`` / ``fish_source``); see the README.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import InputError
from .plugins import get_plugins

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AdvisorGroup(click.Group):
    """A group that adds plugin commands (``register_commands``) the first time it is asked."""

    _plugin_commands_loaded = False

    def _load_plugin_commands(self) -> None:
        if not self._plugin_commands_loaded:
            self._plugin_commands_loaded = True
            get_plugins().call("register_commands", cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._load_plugin_commands()
        return super().get_command(ctx, cmd_name)


@click.group(cls=AdvisorGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="advisor")
def cli() -> None:
    """Decide between fine-tuning, RAG or both for an LLM project, then scaffold a starter.

    \b
    advisor decide                       answer eight questions, get a recommendation
    advisor decide --answers a.yaml      the same, from an answers file
    advisor scaffold my-bot --answers a.yaml
    """


def answers_options(command: Any) -> Any:
    """The options every command that reads answers shares."""
    options = [
        click.option(
            "--answers",
            "answers_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="YAML or JSON answers file.",
        ),
        click.option(
            "--set",
            "set_values",
            multiple=True,
            metavar="KEY=VALUE",
            help="Set one answer (repeatable; overrides the answers file).",
        ),
        click.option(
            "--no-input",
            is_flag=True,
            help="Never prompt: use defaults, and fail listing every missing required answer.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def gather_answers(
    answers_file: Path | None,
    set_values: tuple[str, ...],
    no_input: bool,
    extra_questions: tuple[Any, ...] = (),
) -> dict[str, Any]:
    """Merge file and ``--set`` answers, validate them, and prompt for what is missing."""
    from .questionnaire import CORE_QUESTIONS, collect, load_answers_file, parse_set_options

    provided: dict[str, Any] = {}
    source = "--set"
    if answers_file is not None:
        provided.update(load_answers_file(answers_file))
        source = str(answers_file)
    overrides = parse_set_options(set_values)
    provided.update(overrides)
    if overrides and answers_file is None:
        source = "--set"
    questions = CORE_QUESTIONS + tuple(question_registry()) + tuple(extra_questions)
    return collect(
        questions,
        provided,
        source=source,
        interactive=not no_input,
        ask_all=answers_file is None and not set_values,
    )


def provided_answers(
    answers_file: Path | None, set_values: tuple[str, ...]
) -> tuple[dict[str, Any], str]:
    """The answers given in a file and ``--set`` (which wins), and where they came from.

    ``scaffold`` collects in two rounds (core questions, then the chosen backends'), so it
    needs what was given before validating it.
    """
    from .questionnaire import load_answers_file, parse_set_options

    provided: dict[str, Any] = {}
    source = "--set"
    if answers_file is not None:
        provided.update(load_answers_file(answers_file))
        source = str(answers_file)
    provided.update(parse_set_options(set_values))
    return provided, source


def question_registry() -> list[Any]:
    """Questions plugins add through ``register_questions``, refusing duplicate keys."""
    from .questionnaire import CORE_QUESTIONS, Question

    seen = {q.key: "advisor" for q in CORE_QUESTIONS}
    found: list[Question] = []
    plugins = get_plugins()
    for plugin, question in plugins.collect("register_questions"):
        if not isinstance(question, Question):
            plugins.fail(plugin, f"register_questions registered {question!r}, not a Question")
        elif question.key in seen:
            plugins.fail(plugin, f"question key {question.key!r} is already used by {seen[question.key]}")
        else:
            seen[question.key] = plugin
            found.append(question)
    return found


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@answers_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for the terminal, json for scripts, markdown for a decision record.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option(
    "--save-answers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the answers given (and defaults used) to FILE as YAML.",
)
def decide(
    answers_file: Path | None,
    set_values: tuple[str, ...],
    no_input: bool,
    fmt: str,
    output: Path | None,
    save_answers: Path | None,
) -> None:
    """Recommend rag, fine-tune or hybrid, with reasons, confidence and what would flip it."""
    from .framework import decide as run_framework
    from .questionnaire import Answers
    from .reports import render

    values = gather_answers(answers_file, set_values, no_input)
    decision = run_framework(Answers.from_mapping(values))
    if save_answers is not None:
        _save_answers(values, save_answers)
    write_output(render(decision, fmt), output)


def _save_answers(values: dict[str, Any], path: Path) -> None:
    import yaml

    try:
        path.write_text(yaml.safe_dump(values, sort_keys=False, allow_unicode=True), "utf-8")
    except OSError as exc:
        raise InputError(f"--save-answers {path}: cannot write: {exc.strerror or exc}") from None


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def questions(fmt: str) -> None:
    """Print the questionnaire: key, type, choices, default and help."""
    from .questionnaire import CORE_QUESTIONS

    all_questions = CORE_QUESTIONS + tuple(question_registry())
    if fmt == "json":
        click.echo(json.dumps([q.to_dict() for q in all_questions], indent=2))
        return
    for q in all_questions:
        default = "required" if q.required else f"default {q.default!r}"
        click.echo(f"{q.key} ({q.kind}; {default})")
        click.echo(f"    {q.help}")
        click.echo(f"    allowed: {q.allowed()}")
        for choice, text in q.choice_help.items():
            click.echo(f"      {choice}: {text}")


@cli.command(name="plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def plugins_command(fmt: str) -> None:
    """List installed plugins, their hooks, backends and load errors."""
    plugins = get_plugins()
    plugins.backends()
    infos = sorted(plugins.info.values(), key=lambda i: i.name)
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in infos], indent=2))
        return
    if not infos:
        click.echo("No plugins loaded (ADVISOR_LOAD_PLUGINS may be empty).")
        return
    for info in infos:
        click.echo(f"{info.name}  ({info.distribution} {info.version})".rstrip())
        click.echo(f"    hooks: {', '.join(info.hooks) or '-'}")
        for backend in info.backends:
            approaches = "+".join(backend.approaches)
            click.echo(f"    backend {backend.name} [{approaches}]: {backend.description}")
        for error in info.errors:
            click.echo(f"    error: {error}")


@cli.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@answers_options
@click.option(
    "--decision",
    "decision_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reuse a saved decision (the output of `advisor decide --format json`).",
)
@click.option(
    "--backend",
    "backend_names",
    multiple=True,
    metavar="NAME",
    help="Use this backend (repeatable) instead of the decision's default ones.",
)
@click.option("--name", help="Project name (default: the target folder's name).")
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also render your team's template dir (laid out like a backend's), sandboxed.",
)
@click.option(
    "--answers-from",
    "record_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Make a project again from its .advisor.yml (--set still overrides).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files that would change.")
@click.option("--skip-existing", is_flag=True, help="Keep existing files; write the others.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
def scaffold(
    target: Path,
    answers_file: Path | None,
    set_values: tuple[str, ...],
    no_input: bool,
    decision_file: Path | None,
    backend_names: tuple[str, ...],
    name: str | None,
    templates_dir: Path | None,
    record_file: Path | None,
    force: bool,
    skip_existing: bool,
    dry_run: bool,
) -> None:
    """Render a runnable starter project for the decision into TARGET.

    Nothing is written until every file has rendered, and no existing file is overwritten
    unless --force says so.
    """
    from .planning import ScaffoldRequest, plan_scaffold
    from .plugins import get_plugins
    from .questionnaire import CORE_QUESTIONS
    from .record import version_notes
    from .scaffold import backend_versions, closing_lines, report_lines
    from .scaffold import scaffold as render_scaffold

    if force and skip_existing:
        raise InputError("--force and --skip-existing: choose one")
    if record_file is not None and answers_file is not None:
        raise InputError("--answers and --answers-from: choose one (--set still overrides)")
    provided, source = provided_answers(answers_file, set_values)
    request = ScaffoldRequest(
        target=target,
        provided=provided,
        source=source,
        questions=CORE_QUESTIONS + tuple(question_registry()),
        interactive=not no_input,
        ask_all=answers_file is None and not set_values,
        decision_file=decision_file,
        backend_names=backend_names,
        name=name,
        templates=templates_dir,
        record_file=record_file,
    )

    def echo(text: str) -> None:
        click.echo(text, err=True)

    blueprint, record = plan_scaffold(request, get_plugins().backends(), echo)
    if record is not None:
        for text in version_notes(record, __version__, backend_versions(blueprint.backends)):
            echo(f"Note: {text}")
    policy = "force" if force else "skip-existing" if skip_existing else "refuse"
    outcome = render_scaffold(blueprint, policy, dry_run=dry_run)
    for line in report_lines(outcome, target, dry_run):
        click.echo(line, err=True)
    if not dry_run:
        for line in closing_lines(outcome, target):
            click.echo(line, err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="advisor")
