"""The systems the starter's ``evaluate`` command compares: ``rag`` when configured."""

from __future__ import annotations

from ..evaluation import System
from .settings import PgvectorSettings


def systems() -> dict[str, System]:
    settings = PgvectorSettings()
    if settings.missing():
        return {}
    from . import rag

    return {"rag": lambda question: rag.answer(question, settings)}
