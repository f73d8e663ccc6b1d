"""Settings of the LoRA starter, read from the environment and ``.env``.

The base model and the epochs are the fine-tuning settings the shared ``chatdata`` part
reads too (``FINETUNE_BASE_MODEL``, ``FINETUNE_EPOCHS``), so ``validate`` and ``train``
always talk about the same model and epochs. The rest is this backend's own
(``HF_LORA_*``). When ``HF_LORA_SERVER_URL`` is set, evaluation and chat go through that
OpenAI-compatible server (vLLM serving the base model with the adapter as a LoRA
module); otherwise the models run in-process.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..chatdata.settings import EPOCHS_ALLOWED, Epochs

# The training data's system message: `chat` and `evaluate` ask with the same one, since a
# tuned model answers best in the conversation it was trained on.
SYSTEM_PROMPT = (
{% for piece in hf_lora_system_prompt %}
    {{ piece | py }}
{% endfor %}
)


class HfLoraSettings(BaseSettings):
    """Where the model comes from, where outputs go, and how to reach a server."""

    model_config = SettingsConfigDict(
        env_prefix="HF_LORA_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    base_model: str = Field(
        default={{ hf_lora_model.repo_id | py }},
        min_length=1,
        validation_alias="FINETUNE_BASE_MODEL",
        description="a Hugging Face Hub id or a local model directory",
    )
    epochs: Epochs = Field(
        default={{ hf_lora_epochs | py }},
        validation_alias="FINETUNE_EPOCHS",
        description=EPOCHS_ALLOWED,
    )
    output_dir: Path = Field(default=Path("out/hf-lora"), description="a directory")
    system_prompt: str = Field(default=SYSTEM_PROMPT, min_length=1, description="some text")
    max_new_tokens: int = Field(default=128, ge=1, le=8192, description="1 to 8192")
    server_url: str | None = Field(
        default=None, description="empty, or an http(s) URL (vLLM: http://HOST:8000/v1)"
    )
    server_api_key: SecretStr | None = None
    served_adapter: str = Field(default="lora", min_length=1, description="a model name")
    served_base_model: str | None = Field(default=None, description="a model name")

    @field_validator("server_url")
    @classmethod
    def _http_url_or_none(cls, value: str | None) -> str | None:
        """Empty (as in ``.env.example``) means no server; anything else must be http(s)."""
        url = (value or "").strip()
        if not url:
            return None
        if not url.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return url

    @field_validator("server_api_key")
    @classmethod
    def _empty_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty key (as in ``.env.example``) means the server was started without one."""
        return value if value is not None and value.get_secret_value() else None

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
