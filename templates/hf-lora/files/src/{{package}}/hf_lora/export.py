"""Merging the adapter into the base model, for servers and tools that take one model.

vLLM serves the adapter as it is (``--enable-lora``), which keeps one base model for many
adapters; a merged model suits a server without LoRA support, or a conversion to another
format. The merge loads the base model unquantized, so an adapter trained with QLoRA
merges into full-precision weights rather than into rounded 4-bit ones.
"""

from __future__ import annotations

from pathlib import Path

DTYPES: tuple[str, ...] = ("bfloat16", "float16", "float32")


class ExportError(ValueError):
    """The merge cannot run as asked; the message names the option and what is allowed."""


def merge_adapter(
    base_model: str, adapter_dir: Path, out_dir: Path, dtype: str, overwrite: bool = False
) -> Path:
    """Write base + adapter as one model (weights, config and tokenizer) to ``out_dir``.

    An existing non-empty ``out_dir`` is refused unless ``overwrite``: a merged model
    costs a training run to remake.
    """
    if not overwrite and out_dir.exists() and any(out_dir.iterdir()):
        raise ExportError(f"--output: {out_dir} is not empty; pass --force to replace it")
    if dtype not in DTYPES:
        raise ExportError(f"--dtype: {dtype!r} is not allowed; allowed: {', '.join(DTYPES)}")
    if not (adapter_dir / "adapter_config.json").is_file():
        raise ExportError(f"--adapter: {adapter_dir} holds no adapter; run train first")
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_model, dtype=getattr(torch, dtype))
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    out_dir.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out_dir))
    AutoTokenizer.from_pretrained(str(adapter_dir)).save_pretrained(str(out_dir))
    return out_dir
