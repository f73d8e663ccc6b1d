"""One question to one model, the way the model was trained to be asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..evaluation import record_usage, response_format

if TYPE_CHECKING:
    from openai import OpenAI


def ask(client: OpenAI, model: str, system_prompt: str, question: str) -> str:
    """The model's reply; temperature 0 so evaluations can be repeated. With an answer
    schema (``answer_schema.py``), the reply is JSON that structured outputs hold to it."""
    schema = response_format()
    extra: dict[str, Any] = {} if schema is None else {"response_format": schema}
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": question},
        ],
        temperature=0,
        **extra,
    )
    record_usage(response.model or model, response.usage)
    return (response.choices[0].message.content or "").strip()
