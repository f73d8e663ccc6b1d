"""The systems the starter's ``evaluate`` command compares: ``base`` and ``lora``.

With ``HF_LORA_SERVER_URL`` set, both are names on that OpenAI-compatible server (the
base model's and the adapter's, ``HF_LORA_SERVED_ADAPTER``). Otherwise they run
in-process and share one loaded model; ``lora`` is left out until ``train`` has saved an
adapter, as the evaluation contract asks (fewer systems, never an error).
"""

from __future__ import annotations

from ..chatdata.settings import load_settings
from ..evaluation import Prediction, System
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
            return lambda question: Prediction(client.answer(question))

        return {
            "base": endpoint(settings.server_base_model),
            "lora": endpoint(settings.served_adapter),
        }
    adapter = settings.adapter_dir if has_adapter(settings) else None
    models = LocalModels(
        settings.base_model, adapter, settings.system_prompt, settings.max_new_tokens
    )
    found: dict[str, System] = {
        "base": lambda question: Prediction(models.answer(question, adapter=False))
    }
    if adapter is not None:
        found["lora"] = lambda question: Prediction(models.answer(question, adapter=True))
    return found
