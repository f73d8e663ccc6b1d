"""The open-weights base models the `hf-lora` starter offers, with what each needs.

One table feeds both the backend question's choices and the GPU-memory table in the
generated README, so the two cannot disagree. Memory figures are estimates from the
parameter count (bf16 weights at 2 bytes a parameter, plus activations and logits for a
batch of 4 x 1,024 tokens with gradient checkpointing); they are not measurements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class BaseModel:
    """One choice of base model and the resources it needs."""

    repo_id: str
    params_b: float
    license: str
    gated: bool
    weights_gb: float
    lora_train_gb: int
    qlora_train_gb: int
    suggested_gpu: str

    def summary(self) -> str:
        """One line for the question's help: size, training memory and licence."""
        gated = ", gated: accept the licence on the Hub and set HF_TOKEN" if self.gated else ""
        return (
            f"{self.params_b:g}B parameters, ~{self.lora_train_gb} GB GPU memory for LoRA "
            f"(~{self.qlora_train_gb} GB QLoRA), {self.license}{gated}"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Ordered from smallest to largest: the questionnaire reads choices as least -> most.
MODELS: tuple[BaseModel, ...] = (
    BaseModel("Qwen/Qwen2.5-0.5B-Instruct", 0.49, "Apache-2.0", False, 1.0, 6, 4, "any 8 GB GPU"),
    BaseModel(
        "meta-llama/Llama-3.2-1B-Instruct", 1.24, "Llama 3.2 Community", True, 2.5, 8, 5,
        "16 GB (T4, L4)",
    ),
    BaseModel(
        "Qwen/Qwen2.5-1.5B-Instruct", 1.54, "Apache-2.0", False, 3.1, 10, 6, "16 GB (T4, L4)"
    ),
    BaseModel(
        "HuggingFaceTB/SmolLM2-1.7B-Instruct", 1.71, "Apache-2.0", False, 3.4, 10, 6,
        "16 GB (T4, L4)",
    ),
    BaseModel(
        "Qwen/Qwen2.5-3B-Instruct", 3.09, "Qwen Research (non-commercial)", False, 6.2, 16, 8,
        "24 GB (L4, A10G)",
    ),
    BaseModel(
        "meta-llama/Llama-3.2-3B-Instruct", 3.21, "Llama 3.2 Community", True, 6.4, 16, 8,
        "24 GB (L4, A10G)",
    ),
)

DEFAULT_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"

BY_ID: dict[str, BaseModel] = {model.repo_id: model for model in MODELS}
