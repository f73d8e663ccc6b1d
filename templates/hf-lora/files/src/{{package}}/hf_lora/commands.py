"""The LoRA commands: ``train``, ``export``, ``chat`` and ``make-tiny-model``.

Bad input (a missing or invalid data file, an option out of range, a base model that
cannot be loaded) stops a command with one line and exit code 2. Libraries are imported
when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..chatdata.commands import EpochsParam

if TYPE_CHECKING:
    from .settings import HfLoraSettings


class InputError(click.ClickException):
    """Input the command cannot use; exit code 2, like click's own usage errors."""

    exit_code = 2


def _settings() -> HfLoraSettings:
    """The settings, read when a command runs (importing them loads pydantic-settings)."""
    from ..chatdata.settings import load_settings
    from .settings import HfLoraSettings

    return load_settings(HfLoraSettings)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def register(cli: click.Group) -> None:
    cli.add_command(train)
    cli.add_command(export)
    cli.add_command(chat)
    cli.add_command(make_tiny_model)


@click.command()
@click.option("--train-file", type=click.Path(path_type=Path), default=Path("data/train.jsonl"),
              show_default=True, help="Chat-format JSONL to train on.")
@click.option("--validation-file", type=click.Path(path_type=Path),
              default=Path("data/validation.jsonl"), show_default=True,
              help="Chat-format JSONL for the validation loss (skipped if absent).")
@click.option("--base-model", help="Hub id or local directory [default: FINETUNE_BASE_MODEL].")
@click.option("--output-dir", type=click.Path(path_type=Path),
              help="Where adapter/ and merged/ go [default: HF_LORA_OUTPUT_DIR].")
@click.option("--epochs", type=EpochsParam(), help="auto or 1-50 [default: FINETUNE_EPOCHS].")
@click.option("--max-steps", type=int, default=-1, show_default=True,
              help="Stop after this many optimizer steps (overrides --epochs when > 0).")
@click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True), default=2e-4,
              show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=4, show_default=True,
              help="Examples per device per step.")
@click.option("--gradient-accumulation", type=click.IntRange(min=1), default=2,
              show_default=True)
@click.option("--max-length", type=click.IntRange(min=16), default=1024, show_default=True,
              help="Tokens per example; longer ones are truncated.")
@click.option("--rank", type=click.IntRange(min=1), default=16, show_default=True,
              help="LoRA rank r.")
@click.option("--alpha", type=click.IntRange(min=1), default=32, show_default=True,
              help="LoRA alpha (scale = alpha / r).")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=0.05,
              show_default=True)
@click.option("--quantization", type=click.Choice(["none", "4bit"]), default="none",
              show_default=True, help="4bit: QLoRA (CUDA GPU and bitsandbytes).")
@click.option("--gradient-checkpointing/--no-gradient-checkpointing", default=True,
              show_default=True, help="Trade compute for GPU memory.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--merge", is_flag=True, help="Also write the merged model to <output>/merged.")
@click.option("--force", is_flag=True, help="Replace an existing adapter (and merged model).")
def train(base_model: str | None, output_dir: Path | None, epochs: int | str | None,
          merge: bool, force: bool, **values: object) -> None:
    """Fine-tune a LoRA adapter on the chat-format training data.

    \b
    one GPU:
      {{ project_slug }} train
    several GPUs (configs in accelerate/, see the README):
      accelerate launch --config_file accelerate/multi-gpu.yaml
        -m {{ package }} train
    """
    from .hub import HubUnavailable, ensure_available

    settings = _settings()
    base = base_model or settings.base_model
    out = output_dir or settings.output_dir
    if (out / "adapter").exists() and not force:
        raise InputError(f"--output-dir: {out / 'adapter'} exists; pass --force to replace it")
    try:
        ensure_available(base)  # before transformers, which would retry for a minute
    except HubUnavailable as exc:
        raise InputError(str(exc)) from None

    from .data import DataError
    from .export import ExportError, merge_adapter
    from .training import TrainingError, TrainOptions
    from .training import train as run_training

    options = TrainOptions(epochs=epochs or settings.epochs, **values)  # type: ignore[arg-type]
    try:
        result = run_training(base, out, options)
        if merge:
            merge_adapter(base, result.adapter_dir, out / "merged", "bfloat16", overwrite=force)
    except (DataError, TrainingError, ExportError) as exc:
        raise InputError(_one_line(exc)) from None
    except OSError as exc:
        raise InputError(f"base model {base!r}: cannot be loaded: {_one_line(exc)}") from None
    loss = f"validation loss {result.eval_loss:.4f}" if result.eval_loss is not None else (
        "no validation set"
    )
    done = f"{result.epochs:g} epochs"
    if result.epochs < result.planned_epochs:
        done = f"{result.epochs:g} of {result.planned_epochs} epochs"
    click.echo(
        f"Saved the adapter to {result.adapter_dir} ({done}, {result.steps} steps, "
        f"training loss {result.train_loss:.4f}, {loss})."
    )
    if merge:
        click.echo(f"Saved the merged model to {out / 'merged'}.")


@click.command()
@click.option("--adapter", type=click.Path(path_type=Path),
              help="Adapter directory [default: HF_LORA_OUTPUT_DIR/adapter].")
@click.option("--output", type=click.Path(path_type=Path),
              help="Where the merged model goes [default: HF_LORA_OUTPUT_DIR/merged].")
@click.option("--dtype", type=click.Choice(["bfloat16", "float16", "float32"]),
              default="bfloat16", show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing merged model.")
def export(adapter: Path | None, output: Path | None, dtype: str, force: bool) -> None:
    """Merge the adapter into the base model (for servers without LoRA support)."""
    from .export import ExportError, merge_adapter

    settings = _settings()
    try:
        out = merge_adapter(
            settings.base_model,
            adapter or settings.adapter_dir,
            output or settings.merged_dir,
            dtype,
            overwrite=force,
        )
    except ExportError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(
            f"base model {settings.base_model!r}: cannot be loaded: {_one_line(exc)}"
        ) from None
    click.echo(f"Saved the merged model to {out}.")


@click.command()
@click.argument("question", required=False)
@click.option("--system", "system_name", type=click.Choice(["base", "fine-tuned"]),
              default="fine-tuned", show_default=True,
              help="Which model answers (the names `evaluate` compares).")
def chat(question: str | None, system_name: str) -> None:
    """Ask the base or the tuned model; without QUESTION, read questions from stdin.

    Runs in-process, or through HF_LORA_SERVER_URL when set (vLLM, see the README).
    """
    from .systems import systems

    available = systems(_settings())
    if system_name not in available:
        raise InputError(
            f"--system: {system_name!r} is not available (no adapter yet: run train); "
            f"available: {', '.join(available)}"
        )
    answer = available[system_name]
    questions = [question] if question else (line.strip() for line in sys.stdin)
    for text in questions:
        if text:
            click.echo(answer(text).answer)


@click.command(name="make-tiny-model")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), default=Path("data/train.jsonl"),
              show_default=True, help="Chat-format JSONL whose text trains the tokenizer.")
@click.option("--force", is_flag=True, help="Replace an existing directory's model files.")
def make_tiny_model(out_dir: Path, data: Path, force: bool) -> None:
    """Build a tiny random model in OUT_DIR for a smoke test of train/evaluate/export."""
    from .data import DataError, load_conversations
    from .tiny import build_tiny_model, texts_of

    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        raise InputError(f"OUT_DIR: {out_dir} is not empty; pass --force to replace its files")
    try:
        rows = load_conversations(data)
    except DataError as exc:
        raise InputError(f"--data: {exc}") from None
    build_tiny_model(out_dir, texts_of(rows))
    click.echo(f"Built a tiny random model in {out_dir}; try FINETUNE_BASE_MODEL={out_dir}.")
