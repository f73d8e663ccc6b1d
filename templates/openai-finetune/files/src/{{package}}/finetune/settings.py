"""Settings for talking to OpenAI, read from the environment and ``.env``.

``OPENAI_API_KEY`` is a :class:`~pydantic.SecretStr`: it prints as ``**********`` and
is only unwrapped when the client is built. ``OPENAI_BASE_URL`` points the client at any
OpenAI-compatible server (the tests use a local one).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr

from ..chatdata.settings import DataSettings, SettingsError

if TYPE_CHECKING:
    from openai import OpenAI

# The training data's system message. `chat` and `evaluate` ask with the same one: a
# fine-tuned model answers best when it is prompted the way it was trained.
SYSTEM_PROMPT = (
    "You answer clinicians' questions from clinical practice guidelines. Reply with the "
    "recommendation only: a short phrase with its numbers and units, no sentence and no "
    "explanation, in the language of the question."
)


class FineTuneSettings(DataSettings):
    """Everything ``train``, ``chat`` and the evaluation systems read."""

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias="OPENAI_API_KEY", description="an OpenAI API key"
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias="OPENAI_BASE_URL",
        pattern=r"^https?://",
        description="an http:// or https:// URL",
    )
    suffix: str = Field(
        default={{ openai_finetune.suffix | tojson }},
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="1 to 64 letters, digits, '-' or '_'",
    )
    seed: int | None = Field(
        default={{ openai_finetune.seed }}, ge=0, le=2**31 - 1, description="an integer >= 0"
    )
    fine_tuned_model: str | None = Field(
        default=None, description="a fine-tuned model id (ft:...)"
    )
    record_file: Path = Field(
        default=Path(".finetune/model.json"), description="a file path"
    )
    jobs_file: Path = Field(default=Path(".finetune/jobs.json"), description="a file path")
    system_prompt: str = Field(default=SYSTEM_PROMPT, min_length=1, description="some text")
    poll_seconds: float = Field(
        default=10.0, gt=0, le=600, description="seconds, more than 0 and at most 600"
    )

    def client(self) -> OpenAI:
        """An OpenAI client, or a one-line error when there is no key to build it with."""
        if self.openai_api_key is None:
            raise SettingsError("OPENAI_API_KEY is not set (put it in .env or the environment)")
        from openai import OpenAI

        return OpenAI(
            api_key=self.openai_api_key.get_secret_value(),
            base_url=self.openai_base_url,
            max_retries=2,
            timeout=60.0,
        )
