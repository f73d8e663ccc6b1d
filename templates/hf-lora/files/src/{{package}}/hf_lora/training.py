"""Supervised fine-tuning of a LoRA adapter with trl's ``SFTTrainer``.

One code path for every scale. On one GPU, or on a CPU for a smoke test with a tiny
model, ``python -m {{ package }} train``.
On several GPUs or nodes, the same command under accelerate, which sets up DDP, FSDP or
DeepSpeed from the files in ``accelerate/``:
``accelerate launch --config_file accelerate/multi-gpu.yaml``
``-m {{ package }} train``.
QLoRA (``quantization="4bit"``) loads the frozen base model in 4-bit NF4 through
bitsandbytes, which needs a CUDA GPU.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..chatdata.epochs import default_epochs
from .data import DataError, load_conversations

if TYPE_CHECKING:
    from peft import LoraConfig
    from trl import SFTConfig

Quantization = Literal["none", "4bit"]
QUANTIZATIONS: tuple[str, ...] = ("none", "4bit")


class TrainingError(ValueError):
    """Training cannot start as asked; the message names the option and what is allowed."""


@dataclass(frozen=True)
class TrainOptions:
    """Hyperparameters of one run. The defaults suit a 0.5-3B model and a few hundred examples."""

    train_file: Path = Path("data/train.jsonl")
    validation_file: Path | None = Path("data/validation.jsonl")
    epochs: int | Literal["auto"] = "auto"
    max_steps: int = -1
    learning_rate: float = 2e-4
    batch_size: int = 4
    gradient_accumulation: int = 2
    max_length: int = 1024
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    quantization: Quantization = "none"
    gradient_checkpointing: bool = True
    seed: int = 42


@dataclass(frozen=True)
class TrainResult:
    """What a run produced: where the adapter is and how the losses ended.

    ``epochs`` is how far training got (``--max-steps`` can stop it part-way, at 1.25 of
    3 epochs say); ``planned_epochs`` is what the options asked for.
    """

    adapter_dir: Path
    epochs: float
    planned_epochs: int
    steps: int
    train_loss: float
    eval_loss: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["adapter_dir"] = str(self.adapter_dir)
        return data


def lora_config(options: TrainOptions) -> LoraConfig:
    """LoRA on every linear layer: the usual choice for small instruction-tuned models."""
    from peft import LoraConfig

    return LoraConfig(
        r=options.rank,
        lora_alpha=options.alpha,
        lora_dropout=options.dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )


def precision() -> dict[str, bool]:
    """bf16 where the GPU has it, fp16 on older GPUs, fp32 on a CPU."""
    import torch

    if not torch.cuda.is_available():
        return {"bf16": False, "fp16": False, "use_cpu": True}
    bf16 = torch.cuda.is_bf16_supported()
    return {"bf16": bf16, "fp16": not bf16, "use_cpu": False}


def model_dtype() -> str:
    """The dtype the frozen base model is loaded in: half precision on a GPU only."""
    flags = precision()
    return "bfloat16" if flags["bf16"] else "float16" if flags["fp16"] else "float32"


def sft_config(
    options: TrainOptions, epochs: int, checkpoint_dir: Path, evaluate: bool
) -> SFTConfig:
    """The trainer's arguments. Checkpoints go under ``checkpoint_dir``; only the last is kept."""
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(checkpoint_dir),
        model_init_kwargs={"dtype": model_dtype()},
        num_train_epochs=epochs,
        max_steps=options.max_steps,
        learning_rate=options.learning_rate,
        per_device_train_batch_size=options.batch_size,
        per_device_eval_batch_size=options.batch_size,
        gradient_accumulation_steps=options.gradient_accumulation,
        gradient_checkpointing=options.gradient_checkpointing,
        max_length=options.max_length,
        lr_scheduler_type="cosine",
        warmup_steps=0.03,
        logging_steps=10,
        eval_strategy="epoch" if evaluate else "no",
        save_strategy="epoch",
        save_total_limit=1,
        report_to=[],
        seed=options.seed,
        **precision(),
    )


def quantization_config(quantization: Quantization) -> Any:
    """None for plain LoRA; for QLoRA, 4-bit NF4 weights through bitsandbytes (CUDA only)."""
    import torch

    if quantization not in QUANTIZATIONS:
        raise TrainingError(
            f"--quantization: {quantization!r} is not allowed; allowed: {', '.join(QUANTIZATIONS)}"
        )
    if quantization == "none":
        return None
    if not torch.cuda.is_available():
        raise TrainingError("--quantization: '4bit' (QLoRA) needs a CUDA GPU; use 'none' here")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise TrainingError(
            "--quantization: '4bit' (QLoRA) needs bitsandbytes: pip install bitsandbytes"
        ) from None
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=getattr(torch, model_dtype()),
    )


def load_tokenizer(name_or_path: str | Path) -> Any:
    """The model's tokenizer; a missing pad token falls back to end-of-sequence."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(name_or_path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not tokenizer.chat_template:
        raise TrainingError(
            f"base model {name_or_path}: its tokenizer has no chat template; "
            "choose an instruction-tuned (chat) model"
        )
    return tokenizer


def train(base_model: str, output_dir: Path, options: TrainOptions) -> TrainResult:
    """Fit the adapter and save it (with the tokenizer) to ``output_dir / "adapter"``.

    The training metrics go to ``output_dir / "train_metrics.json"``. Under ``accelerate
    launch`` every process runs this; only the main one writes files.
    """
    from datasets import Dataset
    from trl import SFTTrainer

    train_rows = _load("--train-file", options.train_file)
    validation = options.validation_file
    eval_rows = []
    if validation is not None and validation.exists():
        eval_rows = _load("--validation-file", validation)
    # "auto" is the shared data part's heuristic (at least ~100 example passes).
    epochs = default_epochs(len(train_rows)) if options.epochs == "auto" else options.epochs
    tokenizer = load_tokenizer(base_model)
    # The trainer loads the model from its id, so it can place it right for DDP/FSDP/DeepSpeed.
    trainer = SFTTrainer(
        model=base_model,
        quantization_config=quantization_config(options.quantization),
        args=sft_config(options, epochs, output_dir / "checkpoints", evaluate=bool(eval_rows)),
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(eval_rows) if eval_rows else None,
        processing_class=tokenizer,
        peft_config=lora_config(options),
    )
    outcome = trainer.train()
    eval_loss = trainer.evaluate()["eval_loss"] if eval_rows else None
    adapter_dir = output_dir / "adapter"
    trainer.save_model(str(adapter_dir))
    result = TrainResult(
        adapter_dir,
        round(trainer.state.epoch or 0.0, 2),
        epochs,
        outcome.global_step,
        outcome.training_loss,
        eval_loss,
    )
    if trainer.is_world_process_zero():
        metrics = {**result.to_dict(), "base_model": base_model, "options": _jsonable(options)}
        (output_dir / "train_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return result


def _load(option: str, path: Path) -> list[dict[str, Any]]:
    try:
        return load_conversations(path)
    except DataError as exc:
        raise DataError(f"{option}: {exc}") from None


def _jsonable(options: TrainOptions) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}
