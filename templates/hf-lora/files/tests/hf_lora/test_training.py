"""A real LoRA training step on a tiny random model, on a CPU, without network access.

The tiny model is built locally (``hf_lora.tiny``) and goes through exactly the code
path a Hub model takes: ``train`` loads it by path, trl's SFT trainer fits the adapter,
and the saved adapter is loaded back, compared with the base model and merged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from {{ package }}.chatdata.epochs import default_epochs
from {{ package }}.hf_lora.data import DataError, load_conversations
from {{ package }}.hf_lora.export import ExportError, merge_adapter
from {{ package }}.hf_lora.generation import LocalModels
from {{ package }}.hf_lora.tiny import build_tiny_model, texts_of
from {{ package }}.hf_lora.training import TrainOptions, train

# Nothing here may reach the Hugging Face Hub; set before transformers is first imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DATA = Path(__file__).parents[2] / "data"
QUESTION = "How often should adults receive the influenza vaccine?"


def tiny_options(**overrides: object) -> TrainOptions:
    """A few quick steps with a learning rate high enough to move the adapter visibly."""
    values: dict[str, object] = {
        "train_file": DATA / "train.jsonl",
        "validation_file": DATA / "validation.jsonl",
        "max_steps": 3,
        "batch_size": 4,
        "gradient_accumulation": 1,
        "max_length": 256,
        "learning_rate": 5e-2,
        "gradient_checkpointing": False,
    }
    values.update(overrides)
    return TrainOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = load_conversations(DATA / "train.jsonl")
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), texts_of(rows))


@pytest.fixture(scope="module")
def trained(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output directory of one training run, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("run")
    train(str(tiny_model), out, tiny_options())
    return out


def logits(model, tokenizer, text: str):
    import torch

    with torch.inference_mode():
        return model(**tokenizer(text, return_tensors="pt")).logits


def test_training_saves_an_adapter_that_changes_the_model(tiny_model: Path, trained: Path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = trained / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny_model)
    assert config["r"] == 16
    metrics = json.loads((trained / "train_metrics.json").read_text())
    assert metrics["steps"] == 3
    # --max-steps 3 stopped it after 3 of the 16 batches of 4 an epoch of 62 examples has
    examples = len(load_conversations(DATA / "train.jsonl"))
    assert (examples, metrics["epochs"]) == (62, 0.19)
    assert metrics["planned_epochs"] == default_epochs(examples)
    assert metrics["eval_loss"] is not None

    tokenizer = AutoTokenizer.from_pretrained(str(adapter))
    base_logits = logits(AutoModelForCausalLM.from_pretrained(str(tiny_model)), tokenizer, QUESTION)
    tuned = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(str(tiny_model)), str(adapter)
    )
    lora_b = [p for name, p in tuned.named_parameters() if "lora_B" in name]
    assert lora_b and any(p.abs().sum() > 0 for p in lora_b)  # LoRA B starts at zero
    assert not logits(tuned, tokenizer, QUESTION).allclose(base_logits)


def test_base_system_is_the_base_model_with_the_adapter_switched_off(
    tiny_model: Path, trained: Path
):
    both = LocalModels(str(tiny_model), trained / "adapter", "Be brief.", max_new_tokens=8)
    base_only = LocalModels(str(tiny_model), None, "Be brief.", max_new_tokens=8)
    base_answer = both.answer(QUESTION, adapter=False)
    assert base_answer == base_only.answer(QUESTION, adapter=False)
    assert both.answer(QUESTION, adapter=True) != base_answer


def test_merged_model_computes_what_base_plus_adapter_does(
    tiny_model: Path, trained: Path, tmp_path: Path
):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merged_dir = merge_adapter(str(tiny_model), trained / "adapter", tmp_path / "m", "float32")
    tokenizer = AutoTokenizer.from_pretrained(str(merged_dir))  # the merge ships its tokenizer
    merged = AutoModelForCausalLM.from_pretrained(str(merged_dir))
    tuned = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(str(tiny_model)), str(trained / "adapter")
    )
    assert logits(merged, tokenizer, QUESTION).allclose(
        logits(tuned, tokenizer, QUESTION), atol=1e-4
    )


def test_merge_never_overwrites_a_previous_merge(tiny_model: Path, trained: Path, tmp_path: Path):
    out = tmp_path / "merged"
    out.mkdir()
    (out / "model.safetensors").write_text("earlier merge")
    with pytest.raises(ExportError, match="pass --force"):
        merge_adapter(str(tiny_model), trained / "adapter", out, "float32")
    assert (out / "model.safetensors").read_text() == "earlier merge"


def test_merge_without_an_adapter_says_so(tiny_model: Path, tmp_path: Path):
    with pytest.raises(ExportError, match="holds no adapter"):
        merge_adapter(str(tiny_model), tmp_path, tmp_path / "merged", "float32")


def test_training_refuses_invalid_data_naming_the_option_and_line(tiny_model: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    good = (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(good + "\n" + '{"messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(DataError) as caught:
        train(str(tiny_model), tmp_path / "out", tiny_options(train_file=bad))
    message = str(caught.value)
    assert message.startswith("--train-file: ")
    assert "line 2: example_missing_assistant_message" in message
    assert not (tmp_path / "out" / "adapter").exists()


def test_tool_call_turns_are_refused(tmp_path: Path):
    tools = tmp_path / "tools.jsonl"
    example = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "tool_calls": [{"id": "1", "type": "function",
                                                  "function": {"name": "w", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny."},
        ]
    }
    tools.write_text(json.dumps(example) + "\n")
    with pytest.raises(DataError, match="line 1: unsupported_turn"):
        load_conversations(tools)


def test_shipped_training_data_is_valid_and_text_only():
    for name in ("train.jsonl", "validation.jsonl"):
        rows = load_conversations(DATA / name)
        assert rows
        assert all({m["role"] for m in row["messages"]} <= {"system", "user", "assistant"}
                   for row in rows)
