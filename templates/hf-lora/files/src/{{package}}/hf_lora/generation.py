"""Answering questions with the base or the tuned model: in-process, or through a server.

:class:`LocalModels` loads the base model once and, when an adapter exists, wraps it with
peft; the base answers with the adapter switched off, so comparing the two costs one
model's memory. :class:`EndpointModel` asks an OpenAI-compatible server (vLLM serving the
base model with the adapter as a LoRA module) through the ``openai`` client and its base
URL, so the same evaluation runs against a deployment, asking for structured outputs when
the project has an answer schema (in-process generation is held to it only by
``evaluate``'s check).
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..evaluation import record_usage, response_format


def chat_messages(system_prompt: str, question: str) -> list[dict[str, str]]:
    """The conversation the models were trained on: the system prompt, then the question."""
    messages = [{"role": "user", "content": question}]
    if system_prompt:
        messages.insert(0, {"role": "system", "content": system_prompt})
    return messages


class LocalModels:
    """The base model and, if ``adapter_dir`` is given, the same model with the adapter."""

    def __init__(
        self,
        base_model: str,
        adapter_dir: Path | None,
        system_prompt: str,
        max_new_tokens: int,
    ) -> None:
        self.base_model = base_model
        self.adapter_dir = adapter_dir
        self.system_prompt = system_prompt
        self.max_new_tokens = max_new_tokens
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            on_gpu = torch.cuda.is_available()
            dtype = torch.bfloat16 if on_gpu and torch.cuda.is_bf16_supported() else None
            model = AutoModelForCausalLM.from_pretrained(
                self.base_model, dtype=dtype or (torch.float16 if on_gpu else torch.float32)
            )
            tokenizer_source = self.base_model
            if self.adapter_dir is not None:
                from peft import PeftModel

                model = PeftModel.from_pretrained(model, str(self.adapter_dir))
                tokenizer_source = str(self.adapter_dir)
            self._model = model.to("cuda" if on_gpu else "cpu").eval()
            self._tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
        return self._model, self._tokenizer

    def answer(self, question: str, adapter: bool) -> str:
        """Greedy answer to ``question``, with the adapter on or off."""
        import torch

        if adapter and self.adapter_dir is None:
            raise ValueError("no adapter was given; train one first")
        model, tokenizer = self._load()
        inputs = tokenizer.apply_chat_template(
            chat_messages(self.system_prompt, question),
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        ).to(model.device)
        switch = nullcontext() if adapter or self.adapter_dir is None else model.disable_adapter()
        with torch.inference_mode(), switch:
            output = model.generate(
                **inputs,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=(
                    tokenizer.eos_token_id
                    if tokenizer.pad_token_id is None
                    else tokenizer.pad_token_id
                ),
            )
        prompt_length = inputs["input_ids"].shape[1]
        return tokenizer.decode(output[0][prompt_length:], skip_special_tokens=True).strip()


class EndpointModel:
    """One model name on an OpenAI-compatible server (the base model or the adapter)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        system_prompt: str,
        max_new_tokens: int,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.model = model
        self.system_prompt = system_prompt
        self.max_new_tokens = max_new_tokens
        self._client: Any = None
        self._lock = threading.Lock()

    def answer(self, question: str) -> str:
        """The answer; JSON in the answer schema when the project has one
        (``answer_schema.py``): the request asks for structured outputs, which vLLM
        enforces with guided decoding."""
        schema = response_format()
        extra: dict[str, Any] = {} if schema is None else {"response_format": schema}
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                # vLLM without --api-key accepts any key, but the client insists on one.
                self._client = OpenAI(
                    base_url=self.base_url, api_key=self.api_key or "not-needed"
                )
        response = self._client.chat.completions.create(
            model=self.model,
            messages=chat_messages(self.system_prompt, question),
            temperature=0,
            max_tokens=self.max_new_tokens,
            **extra,
        )
        record_usage(response.model or self.model, response.usage)
        return (response.choices[0].message.content or "").strip()

    def close(self) -> None:
        """Close the client (and its connections), if one was made."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
