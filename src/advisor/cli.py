"""The ``advisor`` command line: parse options, call one function, print its result.

Shell completion is click's: ``eval "$(_ADVISOR_COMPLETE=bash_source advisor)"`` (or
``zsh_source`` / ``fish_source``); see the README.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import InputError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AdvisorGroup(click.Group):
    """A group whose plugin commands (``register_commands``) are looked up only when needed.

    The core's own commands never load plugins, so ``advisor decide`` starts without
    scanning entry points; listing commands (``--help``) or an unknown name does.
    """

    def _plugin_commands(self) -> dict[str, click.Command]:
        from .plugins import get_plugins

        return get_plugins().commands(reserved=self.commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        return self._plugin_commands().get(cmd_name)


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
            help="Never prompt: use defaults, and fail listing every missing required answer "
            "(the default when stdin is not a terminal).",
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
    """Merge file and ``--set`` answers, validate them, and prompt for what is missing.

    Prompts only at a terminal: without one, as with ``--no-input``, every missing
    required answer is listed in one error.
    """
    from .questionnaire import CORE_QUESTIONS, can_prompt, collect

    provided, source = provided_answers(answers_file, set_values)
    ask_all = answers_file is None and not set_values
    core_keys = {q.key for q in CORE_QUESTIONS} | {q.key for q in extra_questions}
    plugin_questions: tuple[Any, ...] = ()
    if ask_all or not core_keys.issuperset(provided):
        # Plugins' questions matter only when someone may answer them; skipping the
        # entry-point scan otherwise keeps `decide --answers F` fast.
        plugin_questions = tuple(question_registry())
    return collect(
        CORE_QUESTIONS + plugin_questions + tuple(extra_questions),
        provided,
        source=source,
        interactive=not no_input and can_prompt(),
        ask_all=ask_all,
    )


def provided_answers(
    answers_file: Path | None, set_values: tuple[str, ...]
) -> tuple[dict[str, Any], str]:
    """The answers given in a file and ``--set`` (which wins), and where each came from.

    ``scaffold`` collects in two rounds (core questions, then the chosen backends'), so it
    needs what was given before validating it. The source prints as the answers file (or
    ``--set``) and names ``--set`` for the keys it gave.
    """
    from .questionnaire import Source, load_answers_file, parse_set_options

    provided: dict[str, Any] = {}
    main = "--set"
    if answers_file is not None:
        provided.update(load_answers_file(answers_file))
        main = str(answers_file)
    from_set = parse_set_options(set_values)
    provided.update(from_set)
    return provided, Source(main, {key: "--set" for key in from_set})


def question_registry() -> list[Any]:
    """Questions plugins add through ``register_questions`` (duplicate keys refused)."""
    from .plugins import get_plugins

    return get_plugins().questions()


def check_output_folder(output: Path | None) -> None:
    """Refuse ``-o`` into a missing folder before anything (a chart, a report) is written."""
    if output is not None and not output.parent.is_dir():
        raise InputError(
            f"--output {output}: cannot write: the folder {output.parent} does not exist "
            "(create it first)"
        )


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}", err=True)


@cli.command(short_help="Recommend rag, fine-tune or hybrid, with costs.")
@answers_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="text for the terminal, json for scripts, markdown for a decision record, "
    "html for a self-contained review page.",
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
    """Recommend rag, fine-tune or hybrid, with reasons, confidence and what would flip it.

    Also prices each option (upfront, monthly, per 1,000 queries, break-even) from the
    shipped price book and the [costs] table of your configuration.
    """
    import datetime as dt

    from .advice import build_advice, load_cost_overrides
    from .prompting import prompted
    from .questionnaire import Answers
    from .reports import chart_svg, render

    check_output_folder(output)
    values = gather_answers(answers_file, set_values, no_input)
    advice = build_advice(
        Answers.from_mapping(values), today=dt.date.today(), overrides=load_cost_overrides()
    )
    if save_answers is None and prompted():
        save_answers = _offer_to_save()
    if save_answers is not None:
        _save_answers(values, save_answers)
    chart_href = None
    if fmt == "markdown" and output is not None:
        chart = output.with_name(f"{output.stem}-costs.svg")
        write_output(chart_svg(advice.costs), chart)
        chart_href = chart.name
    report = render(advice.decision, fmt, costs=advice.costs, today=advice.today,
                    chart_href=chart_href)
    if fmt == "text" and output is None and sys.stdout.isatty():
        from .prompting import wrap_report

        report = wrap_report(report)
    write_output(report, output)
    if save_answers is not None:
        click.echo(
            f"Next: advisor scaffold DIR --answers {shlex.quote(str(save_answers))}   "
            "(makes a starter project for this decision in DIR)",
            err=True,
        )


def _offer_to_save() -> Path | None:
    """After an interactive decide: where to keep the answers for ``scaffold`` (or None)."""
    default = Path("answers.yaml")
    number = 2
    while default.exists():
        default = Path(f"answers-{number}.yaml")
        number += 1

    def convert(text: Any) -> Path | None:
        name = str(text).strip()
        if name.lower() in ("-", "n", "no"):
            return None
        path = Path(name).expanduser()
        if path.exists():
            raise click.UsageError(f"{path} exists; give another name (or - to skip)")
        if not path.parent.is_dir():
            raise click.UsageError(f"the folder {path.parent} does not exist")
        return path

    chosen: Path | None = click.prompt(
        "Save these answers for `advisor scaffold`? File name, or - to skip",
        default=str(default),
        value_proc=convert,
        err=True,
    )
    return chosen


def _save_answers(values: dict[str, Any], path: Path) -> None:
    import yaml

    try:
        path.write_text(yaml.safe_dump(values, sort_keys=False, allow_unicode=True), "utf-8")
    except OSError as exc:
        raise InputError(f"--save-answers {path}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"Saved the answers to {path}", err=True)


@cli.command(short_help="Print the questionnaire.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts (types, choices, defaults, limits).",
)
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


@cli.command(name="plugins", short_help="List plugins and what each registers.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
@click.pass_context
def plugins_command(ctx: click.Context, fmt: str) -> None:
    """List plugins: distribution, version, hooks, what they register, and their errors.

    Calls every registration hook, so a plugin that fails in any of them shows its error
    here. ADVISOR_LOAD_PLUGINS picks which plugins load (unset: all, empty: none, a,b: only
    those); ADVISOR_STRICT_PLUGINS=1 makes plugin errors fatal.
    """
    from .plugins import get_plugins, wanted_plugins

    plugins = get_plugins()
    plugins.backends()
    plugins.questions()
    plugins.commands(reserved=ctx.parent.command.commands if ctx.parent else ())
    plugins.checks()
    infos = sorted(plugins.info.values(), key=lambda i: i.name)
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in infos], indent=2))
        return
    if not infos:
        why = "ADVISOR_LOAD_PLUGINS is empty" if wanted_plugins() == set() else "none installed"
        click.echo(f"No plugins loaded ({why}).")
        return
    click.echo(_plugins_table(infos))


def _plugins_table(infos: list[Any]) -> str:
    """One row per plugin, then an indented line per thing it provides or error it hit."""
    rows = [("PLUGIN", "DISTRIBUTION", "VERSION", "HOOKS")]
    rows += [(i.name, i.distribution, i.version, ", ".join(i.hooks) or "-") for i in infos]
    widths = [max(len(row[col]) for row in rows) for col in range(3)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
        if index == 0:
            continue
        info = infos[index - 1]
        for backend in info.backends:
            approaches = ", ".join(backend.approaches)
            lines.append(f"    backend {backend.name} [{approaches}]: {backend.description}")
        for label, names in (("questions", info.questions), ("commands", info.commands)):
            if names:
                lines.append(f"    {label}: {', '.join(names)}")
        if info.checks:
            lines.append(f"    doctor checks: {', '.join(info.checks)}")
        lines.extend(f"    ERROR: {error}" for error in info.errors)
    return "\n".join(lines)


@cli.command(short_help="Check keys, endpoints and services; exit 1 on failure.")
@click.option(
    "--backend",
    "backends",
    multiple=True,
    metavar="NAME",
    help="Only this backend's checks (repeatable). Default: every check.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts and CI.",
)
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="Check this generated project: read its .env and recorded deployment "
    "(default: the project the current folder is in, if any).",
)
@click.pass_context
def doctor(
    ctx: click.Context, backends: tuple[str, ...], fmt: str, project: Path | None
) -> None:
    """Check keys, endpoints and services the backends need; exit 1 if any check fails.

    With deployment self-hosted or air-gapped (ADVISOR_DEPLOYMENT, advisor.toml, or the
    project's .advisor.yml), also checks that no endpoint leaves the team's infrastructure.
    """
    from .doctor import render, run_doctor

    report = run_doctor(backends, project)
    click.echo(render(report, fmt), nl=False)
    ctx.exit(report.exit_code)


@cli.group(short_help="Inspect the settings and where each came from.")
def config() -> None:
    """Inspect the settings (environment, ./advisor.toml, the user config file)."""


@config.command("show", short_help="Print the effective settings, secrets masked.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts; secrets are masked in both.",
)
def config_show(fmt: str) -> None:
    """Print the effective settings and where each came from; secrets masked."""
    from .settings import load_settings, render_config

    click.echo(render_config(load_settings(), fmt), nl=False)


@cli.command(short_help="Make a runnable starter project in TARGET.")
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
    help="Use this backend (repeatable) instead of the decision's default ones; the "
    "questionnaire then becomes optional (docs/scaffold.md).",
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
    from .questionnaire import CORE_QUESTIONS, can_prompt
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
        interactive=not no_input and can_prompt(),
        # Only a first run with nothing given asks everything; a file, a saved decision
        # or a record supplies answers, and backends' questions keep their defaults.
        ask_all=answers_file is None
        and not set_values
        and decision_file is None
        and record_file is None,
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
