"""Evaluation systems of the test fine-tuning backend."""

from __future__ import annotations

from ..evaluation import Prediction, System

MODEL = {{ answers.test_model | py }}


def base(question: str) -> Prediction:
    return Prediction("I do not know")


def systems() -> dict[str, System]:
    return {"base": base}
