"""The ``{{ project_slug }}`` command line: the shared ``evaluate`` command plus the backends'.

Each module in ``COMMAND_MODULES`` exposes ``register(cli: click.Group) -> None`` and adds
its commands; each module in ``EVAL_SYSTEM_MODULES`` exposes ``systems()``, the systems
``evaluate`` compares. Commands import heavy libraries inside their functions, so
``{{ project_slug }} --help`` stays fast.
"""

from __future__ import annotations

import importlib
{% if deployment == "air-gapped" %}
import os
{% endif %}
from pathlib import Path

import click

from . import __version__, evaluation
{% if deployment == "air-gapped" %}

# Air-gapped: nothing may be downloaded at run time (README.md, "Deployment"). Hugging Face
# libraries read their offline switch from the process environment, not from .env, so it
# is set here, before any command imports them; a value exported in the shell wins.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
{% endif %}

# Modules of this package that add commands (``register(main)``).
COMMAND_MODULES: tuple[str, ...] = (
{% for module in starter.commands %}
    "{{ module }}",
{% endfor %}
)
# Modules of this package whose ``systems()`` return the systems to evaluate.
EVAL_SYSTEM_MODULES: tuple[str, ...] = (
{% for module in starter.eval_systems %}
    "{{ module }}",
{% endfor %}
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="{{ project_slug }}")
def main() -> None:
    """{{ project_slug }}: evaluate first, then build (see README.md)."""


@main.command()
@click.option(
    "--system",
    "system_names",
    multiple=True,
    metavar="NAME",
    help="Evaluate only this system (repeatable). Default: every configured system.",
)
@click.option(
    "--scorer",
    type=click.Choice(sorted(evaluation.SCORERS)),
    default="f1",
    show_default=True,
    help="How an answer is scored against the reference (exact match is always shown too).",
)
@click.option(
    "--eval-set",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evals/eval.jsonl"),
    show_default=True,
    help="The evaluation set: one JSON object per line.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evals/results.json"),
    show_default=True,
    help="Where the results go, in advisor's evidence format (advisor.evidence/1).",
)
@click.option(
    "--prices",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evals/prices.json"),
    show_default=True,
    help="USD per 1M tokens by model, for the cost per 1k questions.",
)
@click.option(
    "--concurrency",
    "-j",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    envvar="EVAL_CONCURRENCY",
    help="Questions asked at once (env EVAL_CONCURRENCY); lower it for a tight rate limit.",
)
def evaluate(
    system_names: tuple[str, ...],
    scorer: str,
    eval_set: Path,
    output: Path,
    prices: Path,
    concurrency: int,
) -> None:
    """Run every system on every question and compare them side by side.

    Exits 1 when a system failed on every question (a wrong key, no index yet), after
    printing the first error of each system that had any.
    """
    try:
        items = evaluation.load_eval_set(eval_set)
        price_book = evaluation.load_price_book(prices)
        systems = evaluation.load_systems(EVAL_SYSTEM_MODULES, __package__)
    except evaluation.EvaluationError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        if not systems:
            raise click.ClickException(
                "no system to evaluate: the configured backends offer none yet "
                "(check .env; see README.md)"
            )
        unknown = [name for name in system_names if name not in systems]
        if unknown:
            raise click.UsageError(
                f"--system {unknown[0]!r}: unknown system (available: {', '.join(systems)})"
            )
        chosen = {name: systems[name] for name in dict.fromkeys(system_names)} or systems
        report = evaluation.run(
            chosen,
            items,
            scorer=scorer,
            concurrency=concurrency,
            answer_format=evaluation.load_answer_format(),
            prices=price_book,
            progress=evaluation.Progress(len(chosen) * len(items)),
        )
    finally:
        evaluation.close_systems(systems)
    click.echo(evaluation.format_table(report))
    for line in evaluation.problems(report):
        click.echo(line, err=True)
    if price_book is None:
        click.echo(f"cost per 1k unknown: no price book at {prices}", err=True)
    document = evaluation.evidence(report, eval_set.stem, price_book)
    try:
        evaluation.write_evidence(document, output)
    except OSError as exc:
        raise click.ClickException(f"--output {output}: cannot write: {exc.strerror}") from None
    click.echo(f"Results ({evaluation.EVIDENCE_SCHEMA}): {output}", err=True)
    failed = report.failed_systems()
    if failed:
        names = ", ".join(s.system for s in failed)
        raise click.ClickException(f"every question failed for {names} (see the errors above)")


for _module in COMMAND_MODULES:
    importlib.import_module(f".{_module}", __package__).register(main)
