"""The real OpenAI API, only when asked for: set OPENAI_API_KEY and FINETUNE_LIVE=1.

It asks the base model one question and uploads (then deletes) the validation file, so
it costs a fraction of a cent and never starts a training job.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from {{ package }}.chatdata.settings import load_settings
from {{ package }}.finetune.answer import ask
from {{ package }}.finetune.jobs import upload
from {{ package }}.finetune.settings import FineTuneSettings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (os.environ.get("OPENAI_API_KEY") and os.environ.get("FINETUNE_LIVE") == "1"),
    reason="live OpenAI test: set OPENAI_API_KEY and FINETUNE_LIVE=1 to run it",
)


def test_base_model_answers_and_a_training_file_uploads():
    settings = load_settings(FineTuneSettings)
    client = settings.client()
    answer = ask(client, settings.base_model, settings.system_prompt,
                 "How often should adults receive the influenza vaccine?")
    assert answer
    file_id = upload(client, ROOT / "data" / "validation.jsonl")
    try:
        assert client.files.retrieve(file_id).purpose == "fine-tune"
    finally:
        client.files.delete(file_id)
