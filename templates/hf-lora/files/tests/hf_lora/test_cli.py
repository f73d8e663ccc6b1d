"""The LoRA commands end to end on a tiny local model: build, train, chat, export.

This is the smoke test the README describes, run through the project's own CLI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.chatdata.epochs import default_epochs
from {{ package }}.cli import main
from {{ package }}.hf_lora.data import load_conversations

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PROJECT = Path(__file__).parents[2]
QUICK = ["--max-steps", "2", "--batch-size", "4", "--gradient-accumulation", "1",
         "--max-length", "256", "--learning-rate", "0.05", "--no-gradient-checkpointing"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's data in a clean directory, with no .env and no server."""
    shutil.copytree(PROJECT / "data", tmp_path / "data")
    shutil.copytree(PROJECT / "evals", tmp_path / "evals")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("HF_LORA_", "FINETUNE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FINETUNE_BASE_MODEL", str(tmp_path / "tiny"))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_train_chat_and_export(project: Path, monkeypatch: pytest.MonkeyPatch):
    assert run("make-tiny-model", "tiny").exit_code == 0

    monkeypatch.setenv("FINETUNE_EPOCHS", "auto")  # the shared heuristic picks the epochs
    epochs = default_epochs(len(load_conversations(project / "data/train.jsonl")))
    trained = run("train", *QUICK)
    assert trained.exit_code == 0, trained.output
    # --max-steps 2 stops after 2 of the 16 batches of 4 in an epoch: not all `epochs`
    assert (f"Saved the adapter to out/hf-lora/adapter (0.12 of {epochs} epochs, 2 steps"
            in trained.output)
    assert (project / "out/hf-lora/adapter/adapter_model.safetensors").is_file()

    answered = run("chat", "--system", "fine-tuned", "How often is a Td booster needed?")
    assert answered.exit_code == 0, answered.output
    assert answered.output.strip()

    exported = run("export", "--dtype", "float32")
    assert exported.exit_code == 0, exported.output
    assert (project / "out/hf-lora/merged/config.json").is_file()


def test_train_never_replaces_an_adapter_without_force(project: Path):
    adapter = project / "out/hf-lora/adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    result = run("train", *QUICK)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --output-dir: out/hf-lora/adapter exists; pass --force to replace it"
    ]
    assert (adapter / "adapter_config.json").read_text() == "{}"


def test_a_bad_training_file_is_one_line_and_exit_code_2(project: Path):
    run("make-tiny-model", "tiny")
    (project / "bad.jsonl").write_text('{"messages": "hello"}\n')
    result = run("train", "--train-file", "bad.jsonl", *QUICK)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        'Error: --train-file: bad.jsonl: line 1: missing_messages_list: '
        '"messages" is a JSON string, not a non-empty list'
    ]


def test_an_unknown_base_model_is_one_line_and_exit_code_2(project: Path, tmp_path: Path):
    result = run("train", "--base-model", str(tmp_path / "no-such-model"), *QUICK)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: base model ")


def test_qlora_on_a_cpu_says_what_it_needs(project: Path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: QLoRA is allowed here")
    run("make-tiny-model", "tiny")
    result = run("train", "--quantization", "4bit", *QUICK)
    assert result.exit_code == 2
    assert "'4bit' (QLoRA) needs a CUDA GPU" in result.output


def test_a_bad_setting_stops_evaluate_with_one_line(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_LORA_MAX_NEW_TOKENS", "lots")
    result = run("evaluate", "--system", "base")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(
        "Error: HF_LORA_MAX_NEW_TOKENS: 'lots' is not allowed"
    )


def test_chat_with_the_fine_tuned_model_before_training_says_to_train(project: Path):
    result = run("chat", "--system", "fine-tuned", "hello")
    assert result.exit_code == 2
    assert "no adapter yet: run train" in result.output
