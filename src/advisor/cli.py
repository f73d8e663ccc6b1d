"""The ``advisor`` command line: parse options, call one function, print its result.

Shell completion is click's: ``eval "$(_ADVISOR_COMPLETE=bash_source advisor)"`` (or
``zsh_source`` / ``fish_source``); see the README.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from . import __version__, i18n
from .errors import InputError
from .i18n import N_, ngettext, pgettext
from .i18n import gettext as _
from .messages import translate

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _TranslatedHelp:
    """``help`` and ``short_help`` kept as written (English, marked with ``N_``) and read
    in the language in use: decorators run at import, before ``--lang`` is known."""

    _help: str | None = None
    _short_help: str | None = None

    @property
    def help(self) -> str | None:
        return i18n.gettext(self._help) if self._help else self._help

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value

    @property
    def short_help(self) -> str | None:
        return i18n.gettext(self._short_help) if self._short_help else self._short_help

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self._short_help = value


class HelpFormatter(click.HelpFormatter):
    """Click's formatter, with click's own words in help pages (``Usage:``, the section
    headings) in the language in use, and text with wide characters (Hangul takes two
    terminal columns) wrapped by the columns it takes, not its length. Click's other
    words (``[default: ...]``, parse errors) come from click's own gettext calls and stay
    English."""

    headings = (N_("Options"), N_("Commands"), N_("Positional arguments"))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = i18n.gettext("Usage:") + " "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(i18n.gettext(heading) if heading in self.headings else heading)

    def write_text(self, text: str) -> None:
        if not _wide(text):
            super().write_text(text)
            return
        # Translated help has paragraphs, never click's \b blocks: rewrap each one.
        indent = " " * self.current_indent
        width = self.width - len(indent)
        paragraphs = [
            "\n".join(indent + line for line in i18n.wrap_columns(paragraph, width))
            for paragraph in text.split("\n\n")
        ]
        self.write("\n\n".join(paragraphs) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        if not any(_wide(text) for _, text in rows):
            super().write_dl(rows, col_max, col_spacing)
            return
        first_col = min(max(i18n.columns(term) for term, _ in rows), col_max) + col_spacing
        hang = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if not text:
                self.write("\n")
                continue
            if i18n.columns(term) <= first_col - col_spacing:
                self.write(" " * (first_col - i18n.columns(term)))
            else:
                self.write("\n" + hang)
            lines = i18n.wrap_columns(text, max(self.width - first_col - 2, 10))
            self.write(("\n" + hang).join(lines) + "\n")


def _wide(text: str) -> bool:
    """Whether ``text`` has characters that take two terminal columns."""
    return i18n.columns(text) != len(text)


class HelpContext(click.Context):
    formatter_class = HelpFormatter


class _TranslatedCommand(_TranslatedHelp):
    """What commands and groups share: their help page is formatted in the language."""

    context_class = HelpContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = i18n.gettext("Show this message and exit.")
        return option


class HelpOption(_TranslatedHelp, click.Option):
    """An option whose ``help=N_(...)`` shows in the language in use."""


class HelpArgument(_TranslatedHelp, click.Argument):
    """An argument whose ``help=N_(...)`` shows in the language in use."""


class HelpCommand(_TranslatedCommand, click.Command):
    """A command whose ``help`` and ``short_help`` show in the language in use."""


class HelpGroup(_TranslatedCommand, click.Group):
    """A group whose help, and its subcommands' help, show in the language in use."""

    command_class = HelpCommand
    group_class = type  # its subgroups are HelpGroups too


def option(*names: str, **attrs: Any) -> Any:
    """``click.option`` whose help is translated where it is shown."""
    return click.option(*names, cls=HelpOption, **attrs)


def text_or_json(description: str) -> Any:
    """``--format text|json`` (default text) for commands with one report for people and
    one for scripts; ``description`` (marked with ``N_``) says what the JSON holds."""
    return option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=description,
    )


def argument(*names: str, **attrs: Any) -> Any:
    """``click.argument`` whose help is translated where it is shown."""
    return click.argument(*names, cls=HelpArgument, **attrs)


class AdvisorGroup(HelpGroup):
    """A group whose plugin commands (``register_commands``) are looked up only when needed.

    The core's own commands never load plugins, so ``advisor decide`` starts without
    scanning entry points; listing commands (``--help``) or an unknown name does.
    """

    group_class = HelpGroup
    # Shown under the group's help; each description is a message of its own.
    examples = (
        ("advisor decide", N_("answer eight questions, get a recommendation")),
        ("advisor decide --answers a.yaml", N_("the same, from an answers file")),
        ("advisor scaffold my-bot --answers a.yaml", N_("a starter project for that decision")),
    )

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            rows = [(line, i18n.gettext(text)) for line, text in self.examples]
            formatter.write_dl(rows, col_max=max(len(line) for line, _text in rows))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The language is chosen before click reads anything, so that `--help` and the
        # errors of parsing itself come out in it, wherever `--lang` stands on the line.
        i18n.activate(i18n.choose(_lang_in(args)))
        return super().parse_args(ctx, args)

    def _plugin_commands(self) -> dict[str, click.Command]:
        from .plugins import get_plugins

        commands = get_plugins().commands(reserved=self.commands)
        for command in commands.values():
            _add_lang_option(command)
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        return self._plugin_commands().get(cmd_name)


@click.group(
    cls=AdvisorGroup,
    context_settings=CONTEXT_SETTINGS,
    help=N_(
        "Decide between fine-tuning, RAG or both for an LLM project, then scaffold a starter."
    ),
)
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="advisor",
    cls=HelpOption,
    help=N_("Show the version and exit."),
)
def cli() -> None:
    """The ``advisor`` group; what people read is its ``help=`` above."""


def answers_options(command: Any) -> Any:
    """The options every command that reads answers shares."""
    options = [
        option(
            "--answers",
            "answers_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help=N_("YAML or JSON answers file."),
        ),
        option(
            "--set",
            "set_values",
            multiple=True,
            metavar="KEY=VALUE",
            help=N_("Set one answer (repeatable; overrides the answers file)."),
        ),
        option(
            "--no-input",
            is_flag=True,
            help=N_(
                "Never prompt: use defaults, and fail listing every missing required answer "
                "(the default when stdin is not a terminal)."
            ),
        ),
    ]
    for decorator in reversed(options):
        command = decorator(command)
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
            _(
                "--output {path}: cannot write: the folder {folder} does not exist "
                "(create it first)"
            ).format(path=output, folder=output.parent)
        )


def write_output(
    text: str, output: Path | None, *, force: bool = False, note: str | None = None
) -> None:
    """Print ``text``, or write it to ``output`` all at once (the old file stays whole on
    failure); a symbolic link there is written through only with ``force``. ``note``
    replaces the line that says so (``Wrote FILE``)."""
    if output is None:
        click.echo(text, nl=False)
        return
    from .scaffold.placement import write_file

    write_file(output, text.encode("utf-8"), through_links=force, option="--output")
    click.echo(note or _("Wrote {path}").format(path=output), err=True)


@cli.command(
    short_help=N_("Recommend rag, fine-tune or hybrid, with costs."),
    help=N_(
        "Recommend rag, fine-tune or hybrid, with reasons, confidence and what would flip it.\n"
        "\n"
        "Also prices each option (upfront, monthly, per 1,000 queries, break-even) from the "
        "shipped price book and the [costs] table of your configuration. With --evidence, the "
        "measured results of your own evaluation set decide among the systems the answers "
        "allow. With --compare A.yaml B.yaml, one table of every scenario's recommendation "
        "and costs, naming the answers that differ."
    ),
)
@answers_options
@option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help=N_(
        "text for the terminal, json for scripts, markdown for a decision record, "
        "html for a self-contained review page."
    ),
)
@option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_(
        "Write to FILE (replaced all at once). With --format markdown the cost chart is "
        "also written beside it, as STEM-costs.svg."
    ),
)
@option(
    "--force",
    is_flag=True,
    help=N_("Write --output through a symbolic link (refused without it)."),
)
@option(
    "--save-answers",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write the answers given (and defaults used) to FILE as YAML."),
)
@option(
    "--evidence",
    "evidence_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=N_(
        "Measured results (advisor.evidence/1, what a starter's `evaluate` writes) to weigh "
        "in; repeatable, merged by system, later files win (docs/evidence.md)."
    ),
)
@option(
    "--min-gain",
    type=click.FloatRange(0, 1, min_open=True),
    help=N_("With --evidence: the score gain a more complex system must show.  [default: 0.05]"),
)
@option(
    "--format-floor",
    type=click.FloatRange(0, 1),
    help=N_(
        "With --evidence: the share of valid answers a schema or strict format needs.  "
        "[default: 0.95]"
    ),
)
@option(
    "--decider",
    "deciders",
    multiple=True,
    metavar="NAME",
    help=N_("A person who decides, named in the record (repeatable)."),
)
@option(
    "--compare",
    is_flag=True,
    help=N_(
        "Compare the answers files given as arguments side by side (two or more; "
        "--set applies to each)."
    ),
)
@argument(
    "scenarios", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[FILE]..."
)
def decide(
    answers_file: Path | None,
    set_values: tuple[str, ...],
    no_input: bool,
    fmt: str,
    output: Path | None,
    force: bool,
    save_answers: Path | None,
    evidence_files: tuple[Path, ...],
    min_gain: float | None,
    format_floor: float | None,
    deciders: tuple[str, ...],
    compare: bool,
    scenarios: tuple[Path, ...],
) -> None:
    """Decide, price and render one record (or compare scenarios)."""
    import datetime as dt

    from .advice import build_advice, load_cost_overrides
    from .prompting import prompted
    from .questionnaire import OPTIONAL_QUESTIONS, Answers
    from .reports import chart_svg, render

    for name in deciders:
        if not name.strip() or not name.isprintable():
            raise InputError(
                _("--decider: {name} is not a name (printable text, not blank)").format(
                    name=repr(name)
                )
            )
    deciders = tuple(name.strip() for name in deciders)
    if compare or scenarios:
        unused = {"--answers": answers_file, "--save-answers": save_answers,
                  "--decider": deciders, "--evidence": evidence_files}
        _compare(scenarios, compare, unused, set_values, fmt, output)
        return
    if (min_gain is not None or format_floor is not None) and not evidence_files:
        raise InputError(
            _("--min-gain and --format-floor weigh evidence: give --evidence FILE")
        )
    check_output_folder(output)
    if output is not None:
        from .scaffold.placement import output_destination

        output_destination(output, through_links=force, option="--output")  # before any write
    evidence = read_evidence(evidence_files) if evidence_files else None
    values = gather_answers(answers_file, set_values, no_input, OPTIONAL_QUESTIONS)
    advice = build_advice(
        Answers.from_mapping(values), today=dt.date.today(), overrides=load_cost_overrides()
    )
    if save_answers is None and prompted():
        save_answers = _offer_to_save()
    decision, assessment = advice.decision, None
    if evidence is not None:
        from .evidence import FORMAT_FLOOR, MIN_GAIN, apply, assess

        assessment = assess(
            evidence,
            decision,
            min_gain=MIN_GAIN if min_gain is None else min_gain,
            format_floor=FORMAT_FLOOR if format_floor is None else format_floor,
            target_score=values.get("target_score"),
        )
        decision = apply(decision, assessment)
    if save_answers is not None:
        _save_answers(values, save_answers)
    chart_href = None
    if fmt == "markdown" and output is not None:
        chart = output.with_name(f"{output.stem}-costs.svg")
        note = _("Wrote {path} (the cost chart {report} shows)").format(
            path=chart, report=output.name
        )
        write_output(chart_svg(advice.costs, advice.decision), chart, force=force, note=note)
        chart_href = chart.name
    report = render(
        decision,
        fmt,
        costs=advice.costs,
        today=advice.today,
        chart_href=chart_href,
        evidence=assessment,
        deciders=deciders,
    )
    if fmt == "text" and output is None and sys.stdout.isatty():
        from .prompting import wrap_report

        report = wrap_report(report)
    write_output(report, output, force=force)
    if save_answers is not None:
        click.echo(
            _(
                "Next: advisor scaffold DIR --answers {file}   "
                "(makes a starter project for this decision in DIR)"
            ).format(file=shlex.quote(str(save_answers))),
            err=True,
        )


def _offer_to_save() -> Path | None:
    """After an interactive decide: where to keep the answers for ``scaffold`` (or None)."""
    from .prompting import Invalid, prompt

    default = Path("answers.yaml")
    number = 2
    while default.exists():
        default = Path(f"answers-{number}.yaml")
        number += 1

    def convert(text: Any) -> Path | None:
        name = str(text).strip()
        if name.lower() in ("-", "n", "no", pgettext("boolean", "no").lower()):
            return None
        path = Path(name).expanduser()
        if path.exists():
            raise Invalid(_("{path} exists; give another name (or - to skip)").format(path=path))
        if not path.parent.is_dir():
            raise Invalid(_("the folder {folder} does not exist").format(folder=path.parent))
        return path

    chosen: Path | None = prompt(
        _("Save these answers for `advisor scaffold`? File name, or - to skip"),
        str(default),
        convert,
    )
    return chosen


def read_evidence(paths: tuple[Path, ...]) -> Any:
    """Read, validate and merge ``--evidence`` files (later wins), before anything is written.

    The size is checked before reading and the read is bounded, so a huge file (or a pipe
    that never ends) is refused rather than loaded.
    """
    from . import evidence

    documents = []
    limit = evidence.MAX_EVIDENCE_BYTES
    for path in paths:
        where = str(path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(
                _("{path}: cannot read: {reason}").format(path=where, reason=exc.strerror or exc)
            ) from None
        if len(raw) > limit:
            raise InputError(
                _("{path}: evidence file is over {limit} bytes (the most allowed)").format(
                    path=where, limit=limit
                )
            )
        documents.append(evidence.loads_evidence(raw, where))
    return evidence.merge_evidence(documents)


def _compare(scenarios: tuple[Path, ...], compare: bool, unused: dict[str, Any],
             set_values: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """``decide --compare A B ...``: every scenario decided and priced, in one table."""
    import datetime as dt

    from .compare import compare_scenarios, render_comparison

    if not compare:
        raise InputError(
            _("{path}: answers files as arguments need --compare (one file: --answers FILE)")
            .format(path=scenarios[0])
        )
    for option, value in unused.items():
        if value:
            raise InputError(
                _(
                    "{option}: not with --compare (it compares the answers files given as "
                    "arguments; a record comes from one: --answers FILE)"
                ).format(option=option)
            )
    if len(scenarios) < 2:
        raise InputError(
            _("--compare: {count} answers file(s) given; it needs two or more").format(
                count=len(scenarios)
            )
        )
    answered = [(str(path), gather_answers(path, set_values, no_input=True))
                for path in scenarios]
    comparison = compare_scenarios(answered, today=dt.date.today())
    write_output(render_comparison(comparison, fmt), output)


def _save_answers(values: dict[str, Any], path: Path) -> None:
    import yaml

    try:
        path.write_text(yaml.safe_dump(values, sort_keys=False, allow_unicode=True), "utf-8")
    except OSError as exc:
        raise InputError(
            _("--save-answers {path}: cannot write: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    click.echo(_("Saved the answers to {path}").format(path=path), err=True)


@cli.command(
    short_help=N_("Print the questionnaire."),
    help=N_("Print the questionnaire: key, type, choices, default and help."),
)
@text_or_json(N_("text for people, json for scripts (types, choices, defaults, limits)."))
def questions(fmt: str) -> None:
    """List every question: the core's, the optional ones, the plugins'."""
    from .questionnaire import CORE_QUESTIONS, OPTIONAL_QUESTIONS, choice_labels

    all_questions = CORE_QUESTIONS + OPTIONAL_QUESTIONS + tuple(question_registry())
    if fmt == "json":
        click.echo(json.dumps([q.to_dict() for q in all_questions], indent=2))
        return
    for q in all_questions:
        if q.advanced and q.default is None:
            default = _("optional, never asked: give it in --answers or --set")
        elif q.required:
            default = _("required")
        else:
            default = _("default {value}").format(value=repr(q.default))
        click.echo(f"{q.key} ({q.kind}; {default})")
        click.echo(f"    {_(q.help)}")
        click.echo("    " + _("allowed: {allowed}").format(allowed=q.allowed()))
        labels = choice_labels(q)
        for choice, text in q.choice_help.items():
            shown = choice
            if labels.get(choice, choice).lower() != choice.lower():
                shown = _("{value} ({label})").format(value=choice, label=labels[choice])
            click.echo(f"      {shown}: {_(text)}")


@cli.command(
    name="plugins",
    short_help=N_("List plugins and what each registers."),
    help=N_(
        "List plugins: distribution, version, hooks, what they register, and their errors.\n"
        "\n"
        "Calls every registration hook, so a plugin that fails in any of them shows its error "
        "here. ADVISOR_LOAD_PLUGINS picks which plugins load (unset: all, empty: none, a,b: "
        "only those); ADVISOR_STRICT_PLUGINS=1 makes plugin errors fatal."
    ),
)
@text_or_json(N_("text for people, json for scripts."))
@click.pass_context
def plugins_command(ctx: click.Context, fmt: str) -> None:
    """Call every registration hook and list what each plugin gave or broke."""
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
        if wanted_plugins() == set():
            click.echo(_("No plugins loaded (ADVISOR_LOAD_PLUGINS is empty)."))
        else:
            click.echo(_("No plugins loaded (none installed)."))
        return
    click.echo(_plugins_table(infos))


def _plugins_table(infos: list[Any]) -> str:
    """One row per plugin, then an indented line per thing it provides or error it hit."""
    rows = [(_("PLUGIN"), _("DISTRIBUTION"), _("VERSION"), _("HOOKS"))]
    rows += [(i.name, i.distribution, i.version, ", ".join(i.hooks) or "-") for i in infos]
    widths = [max(i18n.columns(row[col]) for row in rows) for col in range(3)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell + " " * (width - i18n.columns(cell))
            for cell, width in zip(row, widths, strict=False)
        ]
        lines.append("  ".join([*cells, row[3]]).rstrip())
        if index == 0:
            continue
        info = infos[index - 1]
        for backend in info.backends:
            approaches = ", ".join(backend.approaches)
            lines.append(
                "    "
                + _("backend {name} [{approaches}]: {description}").format(
                    name=backend.name, approaches=approaches, description=_(backend.description)
                )
            )
        provided = (
            (_("questions: {names}"), info.questions),
            (_("commands: {names}"), info.commands),
            (_("doctor checks: {names}"), info.checks),
            (_("catalogs: {names}"), info.catalogs),
        )
        for line, names in provided:
            if names:
                lines.append("    " + line.format(names=", ".join(names)))
        for error in info.errors:
            lines.append("    " + _("ERROR: {error}").format(error=translate(error)))
        for note in info.notes:
            lines.append("    " + _("SLOW: {note}").format(note=translate(note)))
    return "\n".join(lines)



@cli.group(
    name="plugin",
    short_help=N_("Write plugins: advisor plugin new NAME."),
    help=N_("Write plugins: `advisor plugin new NAME` starts a publishable one."),
)
def plugin_group() -> None:
    """The ``advisor plugin`` group: tools for plugin authors."""


@plugin_group.command(
    name="new",
    short_help=N_("Create a publishable plugin distribution."),
    help=N_(
        "Create advisor-NAME: a plugin distribution with a NAME-rag backend, ready to "
        "publish.\n"
        "\n"
        "It holds pyproject.toml with the entry point, the backend and its templates, tests "
        "that use advisor.testing (they scaffold a starter and run its tests) and a CI "
        "workflow. Its tests pass as generated: pip install -e \".[test]\" && pytest."
    ),
)
@argument("name")
@option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Folder to create. Default: ./advisor-NAME."),
)
def plugin_new(name: str, target: Path | None) -> None:
    """Generate a plugin distribution from ``templates/plugin``."""
    from .api import templates_path
    from .plugin_template import new_plugin

    folder = target if target is not None else Path(f"advisor-{name}")
    written = new_plugin(name, folder, templates_path("plugin"))
    click.echo(
        ngettext(
            "Created {folder} ({count} file): backend {backend}.",
            "Created {folder} ({count} files): backend {backend}.",
            len(written),
        ).format(folder=folder, count=len(written), backend=f"{name}-rag"),
        err=True,
    )
    click.echo(
        _("Next: {command}").format(command=f'cd {folder} && pip install -e ".[test]" && pytest'),
        err=True,
    )


@cli.command(
    short_help=N_("Check keys, endpoints and services; exit 1 on failure."),
    help=N_(
        "Check keys, endpoints and services the backends need; exit 1 if any check fails.\n"
        "\n"
        "With deployment self-hosted or air-gapped (ADVISOR_DEPLOYMENT, advisor.toml, or the "
        "project's .advisor.yml), also checks that no endpoint leaves the team's "
        "infrastructure."
    ),
)
@option(
    "--backend",
    "backends",
    multiple=True,
    metavar="NAME",
    help=N_("Only this backend's checks (repeatable). Default: every check."),
)
@text_or_json(N_("text for people, json for scripts and CI."))
@option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_(
        "Check this generated project: read its .env and recorded deployment "
        "(default: the project the current folder is in, if any)."
    ),
)
@click.pass_context
def doctor(
    ctx: click.Context, backends: tuple[str, ...], fmt: str, project: Path | None
) -> None:
    """Run the preflight checks and exit with their worst outcome."""
    from .doctor import render, run_doctor

    report = run_doctor(backends, project)
    click.echo(render(report, fmt), nl=False)
    ctx.exit(report.exit_code)


@cli.group(
    short_help=N_("Inspect the settings and where each came from."),
    help=N_("Inspect the settings (environment, ./advisor.toml, the user config file)."),
)
def config() -> None:
    """The ``advisor config`` group."""


@config.command(
    "show",
    short_help=N_("Print the effective settings, secrets masked."),
    help=N_("Print the effective settings and where each came from; secrets masked."),
)
@text_or_json(N_("text for people, json for scripts; secrets are masked in both."))
def config_show(fmt: str) -> None:
    """Print the settings with their sources (``settings.render_config``)."""
    from .settings import load_settings, render_config

    click.echo(render_config(load_settings(), fmt), nl=False)


@cli.command(
    short_help=N_("Make a runnable starter project in TARGET."),
    help=N_(
        "Render a runnable starter project for the decision into TARGET.\n"
        "\n"
        "Nothing is written until every file has rendered, and no existing file is "
        "overwritten unless --force says so (and then a copy of it is kept under "
        ".advisor/backups/)."
    ),
)
@argument("target", type=click.Path(file_okay=False, path_type=Path))
@answers_options
@option(
    "--decision",
    "decision_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Reuse a saved decision (the output of `advisor decide --format json`)."),
)
@option(
    "--backend",
    "backend_names",
    multiple=True,
    metavar="NAME",
    help=N_(
        "Use this backend (repeatable) instead of the decision's default ones; the "
        "questionnaire then becomes optional (docs/scaffold.md)."
    ),
)
@option("--name", help=N_("Project name (default: the target folder's name)."))
@option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Also render your team's template dir (laid out like a backend's), sandboxed."),
)
@option(
    "--answers-from",
    "record_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Make a project again from its .advisor.yml (--set still overrides)."),
)
@option(
    "--trust-templates",
    is_flag=True,
    help=N_(
        "Render the template dir an --answers-from record names (it comes from the "
        "repository, so it is not used without this)."
    ),
)
@option(
    "--force",
    is_flag=True,
    help=N_("Overwrite existing files that would change, after copying them to .advisor/backups/."),
)
@option("--no-backup", is_flag=True, help=N_("With --force: keep no copy of replaced files."))
@option("--skip-existing", is_flag=True, help=N_("Keep existing files; write the others."))
@option("--dry-run", is_flag=True, help=N_("List what would be written; write nothing."))
@click.pass_context
def scaffold(
    ctx: click.Context,
    target: Path,
    answers_file: Path | None,
    set_values: tuple[str, ...],
    no_input: bool,
    decision_file: Path | None,
    backend_names: tuple[str, ...],
    name: str | None,
    templates_dir: Path | None,
    record_file: Path | None,
    trust_templates: bool,
    force: bool,
    no_backup: bool,
    skip_existing: bool,
    dry_run: bool,
) -> None:
    """Plan (``planning``), then render (``scaffold``) a starter project."""
    from .clock import today
    from .plugins import get_plugins
    from .questionnaire import CORE_QUESTIONS, OPTIONAL_QUESTIONS, can_prompt
    from .scaffold.engine import backend_versions, closing_lines, report_lines
    from .scaffold.engine import scaffold as render_scaffold
    from .scaffold.planning import ScaffoldRequest, plan_scaffold
    from .scaffold.record import version_notes

    if force and skip_existing:
        raise InputError(_("--force and --skip-existing: choose one"))
    if no_backup and not force:
        raise InputError(_("--no-backup: only with --force (nothing is replaced without it)"))
    if record_file is not None and answers_file is not None:
        raise InputError(_("--answers and --answers-from: choose one (--set still overrides)"))
    provided, source = provided_answers(answers_file, set_values)
    request = ScaffoldRequest(
        target=target,
        provided=provided,
        source=source,
        questions=CORE_QUESTIONS + OPTIONAL_QUESTIONS + tuple(question_registry()),
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
        today=today(),
        trust_templates=trust_templates,
        language=_explicit_lang(ctx),
    )

    def echo(text: str) -> None:
        click.echo(text, err=True)

    blueprint, record = plan_scaffold(request, get_plugins().backends(), echo)
    if record is not None:
        for text in version_notes(record, __version__, backend_versions(blueprint.backends)):
            echo(_("Note: {text}").format(text=text))
    policy = "force" if force else "skip-existing" if skip_existing else "refuse"
    outcome = render_scaffold(blueprint, policy, dry_run=dry_run, backup=not no_backup)
    for line in report_lines(outcome, target, dry_run):
        click.echo(line, err=True)
    if not dry_run:
        for line in closing_lines(outcome, target):
            click.echo(line, err=True)


@cli.command(
    short_help=N_("Re-render a generated project and merge your edits."),
    help=N_(
        "Re-render a generated project with new inputs and merge your edits into it.\n"
        "\n"
        "Reads TARGET/.advisor.yml, renders the project as it was generated and as it would "
        "be now (new backends, answers, decision, or this advisor's templates), and merges "
        "the difference into your files like git does. Exit 1 when a file has conflicts "
        "(marked with <<<<<<< / >>>>>>>, and listed). Never prompts: new answers take their "
        "defaults."
    ),
)
@argument("target", type=click.Path(file_okay=False, path_type=Path))
@option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("YAML or JSON answers file: these answers replace the recorded ones."),
)
@option(
    "--set",
    "set_values",
    multiple=True,
    metavar="KEY=VALUE",
    help=N_("Change one answer (repeatable; overrides the answers file)."),
)
@option(
    "--decision",
    "decision_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Re-render for a saved decision (`advisor decide --format json`)."),
)
@option(
    "--backend",
    "backend_names",
    multiple=True,
    metavar="NAME",
    help=N_("The project's backends from now on (repeatable; default: the recorded ones)."),
)
@option(
    "--trust-templates",
    is_flag=True,
    help=N_(
        "Render the template dir the project's .advisor.yml names (it comes from the "
        "repository, so it is not used without this)."
    ),
)
@option(
    "--dry-run", is_flag=True, help=N_("Print what would change and the diff; write nothing.")
)
@click.pass_context
def update(
    ctx: click.Context,
    target: Path,
    answers_file: Path | None,
    set_values: tuple[str, ...],
    decision_file: Path | None,
    backend_names: tuple[str, ...],
    trust_templates: bool,
    dry_run: bool,
) -> None:
    """Plan a three-way merge of a generated project (``update``) and apply it."""
    from .clock import today
    from .plugins import get_plugins
    from .questionnaire import CORE_QUESTIONS, OPTIONAL_QUESTIONS
    from .scaffold.update import UpdateRequest, apply_update, diff_text, plan_update, summary_lines

    provided, source = provided_answers(answers_file, set_values)
    request = UpdateRequest(
        target=target,
        provided=provided,
        source=source,
        questions=CORE_QUESTIONS + OPTIONAL_QUESTIONS + tuple(question_registry()),
        decision_file=decision_file,
        backend_names=backend_names,
        today=today(),
        trust_templates=trust_templates,
        language=_explicit_lang(ctx),
    )

    def echo(text: str) -> None:
        click.echo(text, err=True)

    plan = plan_update(request, get_plugins().backends(), echo)
    for note in plan.notes:
        echo(_("Note: {text}").format(text=note))
    if dry_run:
        click.echo(diff_text(plan), nl=False)
    else:
        apply_update(target, plan)
    for line in summary_lines(plan, target, dry_run):
        echo(line)
    ctx.exit(1 if plan.conflicts else 0)


@cli.command(
    short_help=N_("Exit 1 when a project's decision no longer holds."),
    help=N_(
        "Check that a generated project's recorded decision still holds; exit 1 if not.\n"
        "\n"
        "Decides again from TARGET/.advisor.yml's answers with this advisor's framework, and "
        "looks for provider dates passed since the project was rendered and an old price "
        "book. One line per finding, for CI and pre-commit (.pre-commit-hooks.yaml). "
        "ADVISOR_TODAY (YYYY-MM-DD) pins today's date, for tests and to preview a later day."
    ),
)
@argument(
    "target", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)
@option(
    "--max-price-age",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help=N_("Oldest allowed price book, in days (default: 365)."),
)
@click.pass_context
def check(ctx: click.Context, target: Path, max_price_age: int | None) -> None:
    """Re-decide a project's recorded answers and report what no longer holds."""
    from .check import DEFAULT_MAX_PRICE_AGE_DAYS, check_record
    from .clock import today
    from .providers import load_providers
    from .scaffold.record import RECORD_FILE, load_record

    record_file = target / RECORD_FILE
    if not record_file.is_file():
        raise InputError(
            _("{target}: has no {record} (advisor check DIR takes a generated project)").format(
                target=target, record=RECORD_FILE
            )
        )
    record = load_record(record_file)
    events = {
        key: [(e.date, e.text) for e in status.events] for key, status in load_providers().items()
    }
    findings = check_record(
        record,
        today=today(),
        source=str(record_file),
        events=events,
        max_price_age_days=DEFAULT_MAX_PRICE_AGE_DAYS if max_price_age is None else max_price_age,
    )
    for finding in findings:
        click.echo(f"{record_file}: {finding.kind}: {finding.text}")
    if not findings:
        if record.decision:
            holds = _("the {decision} decision holds").format(
                decision=record.decision["recommendation"]
            )
        else:
            holds = _("no decision recorded to re-check, and no provider event has passed since")
        # `PATH: ok, ...` and `PATH: KIND: text` stay as they are in every language (CI
        # reads them); only the text is translated.
        click.echo(f"{record_file}: ok, {holds}")
    ctx.exit(1 if findings else 0)


def _lang_in(args: list[str]) -> str | None:
    """The value of ``--lang`` anywhere on the command line (before ``--``), or None."""
    for position, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and position + 1 < len(args):
            return args[position + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def _explicit_lang(ctx: click.Context | None) -> str | None:
    """The language ``--lang`` chose on the command line (the command's or the group's).

    None when it came from ``ADVISOR_LANG`` or the locale: a generated project then keeps
    the language its record names (docs/i18n.md, "Starters in Korean").
    """
    while ctx is not None:
        if ctx.get_parameter_source("lang") is click.core.ParameterSource.COMMANDLINE:
            return i18n.language()
        ctx = ctx.parent
    return None


def _activate_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    # Through the group the language is already chosen (AdvisorGroup.parse_args); this
    # serves a command invoked on its own, as tests and plugin authors do.
    if value is not None:
        i18n.activate(i18n.choose(value))


def _add_lang_option(command: click.Command) -> None:
    """Give ``command`` (and a group's subcommands) the ``--lang`` option."""
    if not any(param.name == "lang" for param in command.params):
        command.params.append(
            HelpOption(
                ["--lang"],
                metavar="LANG",
                expose_value=False,
                is_eager=True,
                callback=_activate_lang,
                help=N_(
                    "Language of what you read: en or ko. Default: ADVISOR_LANG, then the "
                    "locale (LC_ALL, LC_MESSAGES, LANG), then English."
                ),
            )
        )
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _add_lang_option(subcommand)


_add_lang_option(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="advisor")
