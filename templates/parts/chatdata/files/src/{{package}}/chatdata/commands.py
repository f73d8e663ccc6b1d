"""``validate`` and ``split``: the data commands, wired into the CLI by ``register``.

What only a running command needs (the settings and pydantic-settings, the scanner, the
splitter) is imported inside the functions, so registering these commands, and their
``--help``, stays light: option defaults come from modules that import nothing heavy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .epochs import EPOCHS_ALLOWED, MAX_EPOCHS, MIN_EPOCHS
from .rules import DEFAULT_LIMIT, ROLES


class EpochsParam(click.ParamType):
    """``auto`` or an integer from 1 to 50, as OpenAI's ``n_epochs`` accepts."""

    name = "auto|N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "auto" or isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit() and MIN_EPOCHS <= int(text) <= MAX_EPOCHS:
            return int(text)
        self.fail(f"{value!r} is not allowed (allowed: {EPOCHS_ALLOWED})", param, ctx)


def register(cli: click.Group) -> None:
    cli.add_command(validate)
    cli.add_command(split)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--model", help="Base model to count tokens and price for "
              "[default: FINETUNE_BASE_MODEL].")
@click.option("--epochs", type=EpochsParam(), help="Epochs to price [default: FINETUNE_EPOCHS].")
@click.option("--tokenizer", type=click.Choice(["auto", "tiktoken", "approx"]), default="auto",
              show_default=True,
              help="auto: tiktoken, or an approximation (stated) when it cannot load.")
@click.option("--max-lines", type=click.IntRange(min=1), default=DEFAULT_LIMIT,
              show_default=True,
              help="Line numbers kept per type, and problems listed (counts stay exact).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Processes for large files [default: one per available core].")
@click.option("--role", type=click.Choice(["auto", *ROLES]), default="auto", show_default=True,
              help="Check as a training file (at least 10 examples) or a validation file "
              "(at least 1), as `train` does; auto: validation for *validation.jsonl.")
def validate(
    path: Path,
    fmt: str,
    model: str | None,
    epochs: int | str | None,
    tokenizer: str,
    max_lines: int,
    workers: int | None,
    role: str,
) -> None:
    """Check a chat-format JSONL training file; exit 1 when it has errors.

    Reports every problem with its line number, warnings, token statistics, the epochs
    the default heuristic picks, the billed tokens and the estimated training cost (per
    token for OpenAI's models, in GPU-hours for an open-weights one).
    """
    from .defaults import model_and_epochs
    from .models import lookup, open_weights_gpu
    from .report import Plan, render_text, validate_file
    from .rules import role_of

    base_model, configured_epochs = model_and_epochs()
    plan = Plan(
        lookup(model or base_model),
        configured_epochs if epochs is None else epochs,
        open_weights_gpu(),
    )
    try:
        report = validate_file(
            path, plan, tokenizer=tokenizer, limit=max_lines, workers=workers,
            role=role_of(path.name) if role == "auto" else role,
        )
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report), nl=False)
    if not report["ok"]:
        raise SystemExit(1)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--validation-fraction", type=float, default=0.1, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--train-out", type=click.Path(dir_okay=False, path_type=Path),
              help="[default: PATH's stem + .train.jsonl]")
@click.option("--validation-out", type=click.Path(dir_okay=False, path_type=Path),
              help="[default: PATH's stem + .validation.jsonl]")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def split(
    path: Path,
    validation_fraction: float,
    seed: int,
    train_out: Path | None,
    validation_out: Path | None,
    force: bool,
) -> None:
    """Split a JSONL file into training and validation files, reproducibly (seeded)."""
    from .split import SplitError, split_file

    train_out = train_out or path.with_name(f"{path.stem}.train.jsonl")
    validation_out = validation_out or path.with_name(f"{path.stem}.validation.jsonl")
    try:
        n_train, n_validation = split_file(
            path, train_out, validation_out, validation_fraction, seed, overwrite=force
        )
    except SplitError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{train_out}: {n_train} examples")
    click.echo(f"{validation_out}: {n_validation} examples")
