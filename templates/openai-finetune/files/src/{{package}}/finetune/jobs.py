"""Creating a supervised fine-tuning job and following it until it ends.

The request uses ``method={"type": "supervised", ...}``; the top-level
``hyperparameters`` argument is deprecated. Following a job polls its status, its events
and its checkpoints, and hands whatever is new to a :class:`Watcher` (the terminal
display in ``train``; tests pass their own).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent
    from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

    from .settings import FineTuneSettings

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


class Watcher(Protocol):
    def status(self, job: FineTuningJob) -> None: ...
    def event(self, event: FineTuningJobEvent) -> None: ...
    def checkpoint(self, checkpoint: FineTuningJobCheckpoint) -> None: ...


def job_request(
    settings: FineTuneSettings, training_file: str, validation_file: str | None
) -> dict[str, Any]:
    """The keyword arguments of ``client.fine_tuning.jobs.create``."""
    request: dict[str, Any] = {
        "model": settings.base_model,
        "training_file": training_file,
        "method": {
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": settings.epochs}},
        },
        "suffix": settings.suffix,
    }
    if validation_file is not None:
        request["validation_file"] = validation_file
    if settings.seed is not None:
        request["seed"] = settings.seed
    return request


def upload(client: OpenAI, path: Path) -> str:
    """Upload a training or validation file; return its file id."""
    with path.open("rb") as handle:
        return client.files.create(file=(path.name, handle), purpose="fine-tune").id


def follow(
    client: OpenAI,
    job_id: str,
    watcher: Watcher,
    poll_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> FineTuningJob:
    """Poll the job until it succeeds, fails or is cancelled; return its final state."""
    jobs = client.fine_tuning.jobs
    last_status: str | None = None
    last_event: str | None = None
    last_checkpoint: str | None = None
    while True:
        job = jobs.retrieve(job_id)
        if job.status != last_status:
            last_status = job.status
            watcher.status(job)
        events = _newer_than(jobs.list_events(job_id, limit=50), last_event)
        if events:
            last_event = events[0].id
        for event in reversed(events):
            watcher.event(event)
        checkpoints = _newer_than(jobs.checkpoints.list(job_id, limit=10), last_checkpoint)
        if checkpoints:
            last_checkpoint = checkpoints[0].id
        for checkpoint in reversed(checkpoints):
            watcher.checkpoint(checkpoint)
        if job.status in TERMINAL:
            return job
        sleep(poll_seconds)


def _newer_than(page: Iterable[Any], last_id: str | None) -> list[Any]:
    """Items of a newest-first listing up to (not including) ``last_id``.

    Iterating the page fetches further pages as needed, so nothing between two polls is
    skipped however many events arrived.
    """
    items = []
    for item in page:
        if item.id == last_id:
            break
        items.append(item)
    return items
