"""One question to one model, the way the model was trained to be asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openai import OpenAI


def ask(client: OpenAI, model: str, system_prompt: str, question: str) -> str:
    """The model's reply; temperature 0 so evaluations can be repeated."""
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": question},
        ],
        temperature=0,
    )
    return (response.choices[0].message.content or "").strip()
