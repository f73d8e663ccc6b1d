"""The system ``evaluate`` compares: ``rag``, the best passages as the answer."""

from __future__ import annotations

from ..evaluation import Prediction, System
from .search import corpus_folder, passages, search, top_k


def systems() -> dict[str, System]:
    folder = corpus_folder()
    if not folder.is_dir():
        return {}  # fewer systems, never an exception, when something is missing
    corpus = passages(folder)
    k = top_k()

    def rag(question: str) -> Prediction:
        hits = search(question, corpus, k)
        return Prediction(
            answer=" ".join(hit.text for hit in hits),
            sources=list(dict.fromkeys(hit.source for hit in hits)),
        )

    return {"rag": rag}
