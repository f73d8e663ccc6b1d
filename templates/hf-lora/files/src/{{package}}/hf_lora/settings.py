"""Settings of the LoRA starter, read from the environment and ``.env``.

The base model is a Hugging Face Hub id or a local directory. When ``HF_LORA_SERVER_URL``
is set, evaluation and chat go through that OpenAI-compatible server (vLLM serving the
base model with the adapter as a LoRA module); otherwise the models run in-process.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SYSTEM_PROMPT = (
    "You answer questions about clinical practice guidelines briefly and precisely, "
    "in the language of the question."
)


class HfLoraSettings(BaseSettings):
    """Where the model comes from, where outputs go, and how to reach a server."""

    model_config = SettingsConfigDict(
        env_prefix="HF_LORA_", env_file=".env", extra="ignore"
    )

    base_model: str = "{{ hf_lora_model.repo_id }}"
    output_dir: Path = Path("out/hf-lora")
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    max_new_tokens: int = 128
    server_url: str | None = None
    server_api_key: SecretStr | None = None
    served_adapter: str = "lora"
    served_base_model: str | None = None

    @property
    def adapter_dir(self) -> Path:
        """Where ``train`` saves the adapter (and its tokenizer)."""
        return self.output_dir / "adapter"

    @property
    def merged_dir(self) -> Path:
        """Where ``export`` writes the base model with the adapter merged in."""
        return self.output_dir / "merged"

    @property
    def server_base_model(self) -> str:
        """The name the server gives the base model (vLLM: the id it was started with)."""
        return self.served_base_model or self.base_model
