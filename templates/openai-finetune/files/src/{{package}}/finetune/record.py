"""The training record: which job ``train`` started and the model it produced.

``chat`` and ``evaluate`` read the fine-tuned model's id from here (unless
``FINETUNE_FINE_TUNED_MODEL`` names one), so it is written as soon as the job exists and
again whenever its status changes. The id is not a secret: commit the file to share the
model with your team.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class TrainingRecord:
    job_id: str
    base_model: str
    status: str
    fine_tuned_model: str | None = None


def load(path: Path) -> TrainingRecord | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the training record: {exc}") from None
    return TrainingRecord(**{k: data.get(k) for k in TrainingRecord.__dataclass_fields__})


def save(path: Path, record: TrainingRecord) -> None:
    """Write atomically: a crash never leaves a half-written record behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2) + "\n", "utf-8")
    os.replace(tmp, path)
