"""Evaluation systems of the test RAG backend."""

from __future__ import annotations

from ..evaluation import Prediction, System

# file name -> (keywords that select it, the answer it gives)
CORPUS: dict[str, tuple[tuple[str, ...], str]] = {
    "diabetes.md": (("diabetes", "hba1c"), "metformin"),
    "vaccination.md": (("vaccine", "booster"), "every year"),
    "hypertension.md": (("blood pressure", "hypertension"), "130-139/80-89 mmHg"),
    "hypertension-ko.md": (("고혈압",), "2,000 mg 미만"),
}
TOP_K = {{ answers.test_top_k }}


def lookup(question: str) -> Prediction:
    """Return the answer of the first corpus file whose keywords the question mentions."""
    text = question.lower()
    for name, (keywords, answer) in CORPUS.items():
        if any(keyword in text for keyword in keywords):
            return Prediction(answer, [f"data/corpus/{name}"][:TOP_K])
    return Prediction("")


def systems() -> dict[str, System]:
    return {"lookup": lookup}
