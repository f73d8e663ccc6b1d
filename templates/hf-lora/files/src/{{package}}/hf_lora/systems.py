"""The systems the starter's ``evaluate`` command compares: ``base`` and ``fine-tuned``.

With ``HF_LORA_SERVER_URL`` set, both are names on that OpenAI-compatible server (the
base model's and the adapter's, ``HF_LORA_SERVED_ADAPTER``), asked concurrently, each
through a client ``evaluate`` closes. Otherwise they run in-process, one question at a
time, and share one loaded model; ``fine-tuned`` is left out until ``train`` has saved an
adapter, as the evaluation contract asks (fewer systems, never an error). The names are
the ones advisor's evidence format knows (``advisor decide --evidence``).
"""

from __future__ import annotations

from ..chatdata.settings import load_settings
from ..evaluation import Prediction, System, serial
from .generation import EndpointModel, LocalModels
from .settings import HfLoraSettings


def has_adapter(settings: HfLoraSettings) -> bool:
    return (settings.adapter_dir / "adapter_config.json").is_file()


def systems(settings: HfLoraSettings | None = None) -> dict[str, System]:
    # A bad setting stops `evaluate` with one line naming the variable (exit code 2).
    settings = settings or load_settings(HfLoraSettings)
    if settings.server_url:
        key = settings.server_api_key.get_secret_value() if settings.server_api_key else None

        def endpoint(model: str) -> System:
            client = EndpointModel(
                settings.server_url or "", key, model, settings.system_prompt,
                settings.max_new_tokens,
            )

            def ask(question: str) -> Prediction:
                return Prediction(client.answer(question))

            ask.close = client.close  # type: ignore[attr-defined]
            return ask

        return {
            "base": endpoint(settings.server_base_model),
            "fine-tuned": endpoint(settings.served_adapter),
        }
    adapter = settings.adapter_dir if has_adapter(settings) else None
    models = LocalModels(
        settings.base_model, adapter, settings.system_prompt, settings.max_new_tokens
    )
    # One model in this process: it answers one question at a time.
    found: dict[str, System] = {
        "base": serial(lambda question: Prediction(models.answer(question, adapter=False)))
    }
    if adapter is not None:
        found["fine-tuned"] = serial(
            lambda question: Prediction(models.answer(question, adapter=True))
        )
    return found
