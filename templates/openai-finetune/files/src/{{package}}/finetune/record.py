"""What ``train`` remembers: the model in use, and the jobs it started.

Two files, so that a retrain which is cancelled, detached or fails never costs the model
that works:

- the model record (``.finetune/model.json``): the last job that *succeeded* and its
  fine-tuned model. ``chat`` and ``evaluate`` read the model's id from here (unless
  ``FINETUNE_FINE_TUNED_MODEL`` names one). Only a succeeded job replaces it.
- the job log (``.finetune/jobs.json``): every job ``train`` started or followed, with the
  files it uploaded and the last status it saw, written when a job is created and again
  whenever its status changes (``cancelled`` after a cancel, the last status seen after a
  detach).

Neither holds a secret: commit the model record to share the model with your team.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any


@dataclass
class TrainingRecord:
    """A job and the model it produced (``fine_tuned_model`` is None until it succeeds)."""

    job_id: str
    base_model: str
    status: str
    fine_tuned_model: str | None = None


@dataclass
class JobEntry:
    """One job in the job log, with the ids of the files it was given."""

    job_id: str
    base_model: str
    status: str
    fine_tuned_model: str | None = None
    training_file: str | None = None
    validation_file: str | None = None


def load(path: Path) -> TrainingRecord | None:
    """The model record, or None when no job has succeeded yet."""
    data = _read(path)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: cannot read the training record: expected an object")
    return TrainingRecord(**{k: data.get(k) for k in TrainingRecord.__dataclass_fields__})


def save(path: Path, record: TrainingRecord) -> None:
    _write(path, asdict(record))


def load_jobs(path: Path) -> list[JobEntry]:
    """The job log, oldest first (empty when there is none)."""
    data = _read(path)
    if data is None:
        return []
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list) or not all(isinstance(j, dict) for j in jobs):
        raise ValueError(f"{path}: cannot read the job log: expected a list of jobs")
    return [JobEntry(**{k: j.get(k) for k in JobEntry.__dataclass_fields__}) for j in jobs]


def log_job(path: Path, entry: JobEntry) -> None:
    """Add ``entry`` to the job log, or update the job with the same id.

    Fields ``entry`` leaves at None (a followed job's file ids) keep what was logged.
    """
    jobs = load_jobs(path)
    for index, known in enumerate(jobs):
        if known.job_id == entry.job_id:
            kept = {k: v for k, v in asdict(entry).items() if v is not None}
            jobs[index] = replace(known, **kept)
            break
    else:
        jobs.append(entry)
    _write(path, {"jobs": [asdict(job) for job in jobs]})


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the training record: {exc}") from None


def _write(path: Path, data: Any) -> None:
    """Write atomically: a crash never leaves a half-written file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)
