"""``train`` and ``chat``, wired into the CLI by ``register``.

What only a running command needs (the settings and pydantic-settings, ``openai``, the
data validator) is imported inside the functions, so registering these commands, and
their ``--help``, stays light.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import record
from .answer import ask
from .jobs import follow, job_request, upload
from .progress import Display

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent
    from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

    from .settings import FineTuneSettings

DEFAULT_TRAINING_FILE = Path("data/train.jsonl")
DEFAULT_VALIDATION_FILE = Path("data/validation.jsonl")


def register(cli: click.Group) -> None:
    cli.add_command(train)
    cli.add_command(chat)


@click.command()
@click.option("--training-file", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_TRAINING_FILE, show_default=True)
@click.option("--validation-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"[default: {DEFAULT_VALIDATION_FILE} if it exists]")
@click.option("--dry-run", is_flag=True,
              help="Validate the data and print the job request; call nothing.")
@click.option("--follow", "follow_job", metavar="JOB_ID",
              help="Follow a job started earlier (after detaching) instead of starting one.")
def train(
    training_file: Path, validation_file: Path | None, dry_run: bool, follow_job: str | None
) -> None:
    """Fine-tune the base model on the training data and follow the job to its end.

    Uploads the files, creates a supervised job, shows its progress and checkpoints,
    and records the fine-tuned model's id for `chat` and `evaluate`. Ctrl-C asks
    whether to cancel the job or detach and leave it running.
    """
    settings = _settings()
    if follow_job is not None:
        _follow_and_record(settings, settings.client(), follow_job)
        return
    if validation_file is None and DEFAULT_VALIDATION_FILE.exists():
        validation_file = DEFAULT_VALIDATION_FILE
    _warn_retirement(settings.base_model)
    report = _require_valid(training_file, settings)
    cost = report["estimated_cost_usd"]
    click.echo(
        f"{training_file}: {report['valid_examples']} examples, {report['billed_tokens']:,} "
        f"billed tokens over {report['epochs']} epochs, "
        + ("unknown cost" if cost is None else f"estimated ${cost:,.2f}")
    )
    if validation_file is not None:
        report = _require_valid(validation_file, settings, role="validation")
        click.echo(f"{validation_file}: {report['valid_examples']} validation examples")
    if dry_run:
        request = job_request(
            settings,
            f"<file id of {training_file}>",
            f"<file id of {validation_file}>" if validation_file else None,
        )
        click.echo("Would call client.fine_tuning.jobs.create with:")
        click.echo(json.dumps(request, indent=2, ensure_ascii=False))
        return
    client = settings.client()
    job_id = _create_job(client, settings, training_file, validation_file)
    _follow_and_record(settings, client, job_id)


def _warn_retirement(base_model: str) -> None:
    """Say on stderr when the base model has an announced shutdown (``models.json``)."""
    from ..chatdata.models import lookup

    line = lookup(base_model).retirement(dt.date.today())
    if line:
        click.echo(f"warning: {line}; plan the migration before then (README)", err=True)


def _require_valid(
    path: Path, settings: FineTuneSettings, role: str = "training"
) -> dict[str, Any]:
    """Validate a data file as `validate --role ROLE` does; stop with its report when it
    has errors."""
    from ..chatdata.models import lookup
    from ..chatdata.report import Plan, render_text, validate_file

    if not path.is_file():
        raise click.BadParameter(f"{path}: no such file", param_hint="data file")
    plan = Plan(lookup(settings.base_model), settings.epochs)
    report = validate_file(path, plan, role=role)
    if not report["ok"]:
        click.echo(render_text(report), err=True, nl=False)
        raise click.ClickException(f"{path} has errors; fix them before training")
    return report


def _create_job(
    client: OpenAI, settings: FineTuneSettings, training: Path, validation: Path | None
) -> str:
    import openai

    from .wind_down import explain_refusal

    uploaded: list[str] = []
    try:
        training_id = upload(client, training)
        uploaded.append(training_id)
        click.echo(f"uploaded {training} as {training_id}")
        validation_id = upload(client, validation) if validation else None
        if validation_id:
            uploaded.append(validation_id)
            click.echo(f"uploaded {validation} as {validation_id}")
        job = client.fine_tuning.jobs.create(
            **job_request(settings, training_id, validation_id)
        )
    except openai.PermissionDeniedError as exc:
        message = explain_refusal(_api_message(exc), dt.date.today())
        raise click.ClickException(message + _discard_uploads(client, uploaded)) from None
    except openai.APIError as exc:
        message = f"OpenAI API error: {_api_message(exc)}"
        raise click.ClickException(message + _discard_uploads(client, uploaded)) from None
    record.log_job(
        settings.jobs_file,
        record.JobEntry(job.id, job.model, job.status, None, training_id, validation_id),
    )
    click.echo(f"created job {job.id}")
    return job.id


def _discard_uploads(client: OpenAI, file_ids: list[str]) -> str:
    """Delete the files uploaded for a job that was never created; say what happened.

    Uploaded files are kept (and count against the organization's storage) until deleted,
    and no job will ever use these.
    """
    import openai

    left = []
    for file_id in file_ids:
        try:
            client.files.delete(file_id)
        except openai.APIError:
            left.append(file_id)
    if left:
        return (
            f"\nThe uploaded files {', '.join(left)} could not be deleted; delete each with "
            "`python -c \"import openai; openai.OpenAI().files.delete('FILE_ID')\"`"
        )
    if file_ids:
        return f"\nDeleted the uploaded files {', '.join(file_ids)}."
    return ""


class _LoggingWatcher:
    """Shows a job's progress on ``display`` and logs each status change in the job log."""

    def __init__(self, display: Display, jobs_file: Path) -> None:
        self.display = display
        self.jobs_file = jobs_file

    def status(self, job: FineTuningJob) -> None:
        record.log_job(
            self.jobs_file,
            record.JobEntry(job.id, job.model, job.status, job.fine_tuned_model),
        )
        self.display.status(job)

    def event(self, event: FineTuningJobEvent) -> None:
        self.display.event(event)

    def checkpoint(self, checkpoint: FineTuningJobCheckpoint) -> None:
        self.display.checkpoint(checkpoint)


def _follow_and_record(settings: FineTuneSettings, client: OpenAI, job_id: str) -> None:
    """Follow the job; only a job that succeeds replaces the model in use."""
    import openai

    display = Display(interactive=sys.stdout.isatty())
    try:
        job = follow(client, job_id, _LoggingWatcher(display, settings.jobs_file),
                     settings.poll_seconds)
    except KeyboardInterrupt:
        display.close()
        _interrupted(settings, client, job_id)
        return
    except openai.APIError as exc:
        display.close()
        raise click.ClickException(f"OpenAI API error: {_api_message(exc)}") from None
    display.close()
    if job.status == "succeeded":
        record.save(
            settings.record_file,
            record.TrainingRecord(job.id, job.model, job.status, job.fine_tuned_model),
        )
        click.echo(f"fine-tuned model: {job.fine_tuned_model} (saved to {settings.record_file})")
        return
    reason = f": {job.error.message}" if job.error and job.error.message else ""
    raise click.ClickException(f"job {job.id} {job.status}{reason}{_model_kept(settings)}")


def _model_kept(settings: FineTuneSettings) -> str:
    """After a job that did not succeed: the model `chat` and `evaluate` keep using."""
    try:
        kept = record.load(settings.record_file)
    except ValueError:
        return ""
    if kept is None or not kept.fine_tuned_model:
        return ""
    return f"; still using {kept.fine_tuned_model} from job {kept.job_id}"


def _interrupted(settings: FineTuneSettings, client: OpenAI, job_id: str) -> None:
    """Ctrl-C: cancel the job, or detach and leave it running (also when nobody answers)."""
    import openai

    click.echo()
    try:
        choice = click.prompt(
            f"Cancel job {job_id}, or detach and leave it running?",
            type=click.Choice(["cancel", "detach"]),
            default="detach",
        )
    except click.Abort:
        choice = "detach"
    program = click.get_current_context().find_root().info_name
    if choice == "cancel":
        try:
            job = client.fine_tuning.jobs.cancel(job_id)
        except openai.APIError as exc:
            raise click.ClickException(
                f"could not cancel job {job_id}: {_api_message(exc)}; it may still be running "
                f"(check with: {program} train --follow {job_id})"
            ) from None
        record.log_job(settings.jobs_file, record.JobEntry(job.id, job.model, job.status))
        click.echo(f"job {job_id}: {job.status}{_model_kept(settings)}")
        raise SystemExit(1)
    click.echo(
        f"detached; job {job_id} keeps running. Follow it again with: "
        f"{program} train --follow {job_id}"
    )


@click.command()
@click.argument("question")
@click.option("--base", is_flag=True, help="Ask the base model instead of the fine-tuned one.")
@click.option("--model", help="Ask this model (overrides --base and the recorded model).")
def chat(question: str, base: bool, model: str | None) -> None:
    """Ask the fine-tuned model (or the base model with --base) one question."""
    import openai

    settings = _settings()
    if model is None:
        model = settings.base_model if base else fine_tuned_model(settings)
    if model is None:
        raise click.UsageError(
            "no fine-tuned model yet: run `train` first, set FINETUNE_FINE_TUNED_MODEL, "
            "or ask the base model with --base"
        )
    client = settings.client()
    try:
        click.echo(ask(client, model, settings.system_prompt, question))
    except openai.APIError as exc:
        raise click.ClickException(f"OpenAI API error: {_api_message(exc)}") from None


def _settings() -> FineTuneSettings:
    """The settings, read when a command runs (importing them loads pydantic-settings)."""
    from ..chatdata.settings import load_settings
    from .settings import FineTuneSettings

    return load_settings(FineTuneSettings)


def fine_tuned_model(settings: FineTuneSettings) -> str | None:
    """FINETUNE_FINE_TUNED_MODEL, else the model `train` recorded, else None."""
    if settings.fine_tuned_model:
        return settings.fine_tuned_model
    try:
        found = record.load(settings.record_file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    return found.fine_tuned_model if found else None


def _api_message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", exc))
