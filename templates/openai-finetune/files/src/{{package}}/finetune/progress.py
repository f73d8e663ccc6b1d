"""What ``train`` shows while a job runs: status changes, messages, a progress bar and
checkpoint metrics.

On a terminal the progress bar redraws in place; in a log (not a terminal) it is printed
only every 10%, so a CI log stays readable.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent
    from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

BAR_WIDTH = 24


class Display:
    """A :class:`~.jobs.Watcher` that writes to the terminal."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self._bar_open = False
        self._last_decile = -1

    def status(self, job: FineTuningJob) -> None:
        self._line(f"status: {job.status} ({job.id})")

    def event(self, event: FineTuningJobEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == "metrics" and "step" in data and data.get("total_steps"):
            self._progress(data)
            return
        when = dt.datetime.fromtimestamp(event.created_at).strftime("%H:%M:%S")
        level = "" if event.level == "info" else f"{event.level}: "
        self._line(f"[{when}] {level}{event.message}")

    def checkpoint(self, checkpoint: FineTuningJobCheckpoint) -> None:
        m = checkpoint.metrics
        metrics = [
            f"{name} {value:.4f}"
            for name, value in (
                ("train loss", m.train_loss),
                ("valid loss", m.valid_loss),
                ("full valid loss", m.full_valid_loss),
                ("full valid accuracy", m.full_valid_mean_token_accuracy),
            )
            if value is not None
        ]
        self._line(
            f"checkpoint at step {checkpoint.step_number}: {', '.join(metrics) or 'no metrics'}"
            f" ({checkpoint.fine_tuned_model_checkpoint})"
        )

    def close(self) -> None:
        """End a progress line left open, before anything else is printed."""
        if self._bar_open:
            click.echo()
            self._bar_open = False

    def _progress(self, data: dict[str, Any]) -> None:
        step, total = int(data["step"]), int(data["total_steps"])
        fraction = min(step / total, 1.0)
        filled = round(fraction * BAR_WIDTH)
        loss = data.get("train_loss")
        text = (
            f"step {step}/{total} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
            f"{fraction:4.0%}" + (f" train loss {loss:.4f}" if loss is not None else "")
        )
        if self.interactive:
            click.echo(f"\r{text}", nl=False)
            self._bar_open = True
        elif int(fraction * 10) > self._last_decile:
            self._last_decile = int(fraction * 10)
            click.echo(text)

    def _line(self, text: str) -> None:
        self.close()
        click.echo(text)
