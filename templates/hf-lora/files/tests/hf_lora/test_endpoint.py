"""``base`` and ``fine-tuned`` through an OpenAI-compatible server, as with vLLM.

The local server of ``conftest.py`` (127.0.0.1, the chat-completions protocol) records
what it was asked; the real ``openai`` client talks to it through ``HF_LORA_SERVER_URL``.
"""

from __future__ import annotations

from typing import Any

from {{ package }}.evaluation import Prediction
from {{ package }}.hf_lora.settings import HfLoraSettings
from {{ package }}.hf_lora.systems import systems

from .conftest import ChatServer


def settings_for(server: ChatServer, **values: Any) -> HfLoraSettings:
    return HfLoraSettings(
        _env_file=None,
        base_model="Org/Base-Instruct",
        server_url=server.url,
        system_prompt="Answer briefly.",
        max_new_tokens=32,
        **values,
    )


def test_base_and_fine_tuned_ask_the_server_for_their_own_model(server: ChatServer):
    found = systems(settings_for(server, served_adapter="guidelines-lora"))
    assert found["base"]("What is stage 1?") == Prediction("answer from Org/Base-Instruct")
    assert found["fine-tuned"]("What is stage 1?") == Prediction("answer from guidelines-lora")
    asked = [r["body"] for r in server.requests]
    assert [b["model"] for b in asked] == ["Org/Base-Instruct", "guidelines-lora"]
    assert asked[0]["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is stage 1?"},
    ]
    assert asked[0]["max_tokens"] == 32
    assert asked[0]["temperature"] == 0


def test_served_base_model_name_overrides_the_hub_id(server: ChatServer):
    found = systems(settings_for(server, served_base_model="base"))
    assert found["base"]("q").answer == "answer from base"


def test_api_key_is_sent_as_a_bearer_token_and_not_shown(server: ChatServer):
    settings = settings_for(server, server_api_key="sk-local-test")
    systems(settings)["fine-tuned"]("q")
    assert server.requests[0]["auth"] == "Bearer sk-local-test"
    assert "sk-local-test" not in repr(settings)


def test_without_a_server_or_an_adapter_only_base_is_offered(tmp_path):
    found = systems(HfLoraSettings(_env_file=None, output_dir=tmp_path, server_url=None))
    assert set(found) == {"base"}
