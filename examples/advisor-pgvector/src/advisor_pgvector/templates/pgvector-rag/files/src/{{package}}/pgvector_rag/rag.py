"""Ingest a corpus, and answer a question from the chunks nearest to it."""

from __future__ import annotations

from pathlib import Path

from ..evaluation import Prediction
from . import embeddings, store
from .chunks import load_corpus
from .settings import PgvectorSettings

PROMPT = """Answer the question using only the context. If the context does not hold the
answer, say you do not know. Answer briefly.

Context:
{context}

Question: {question}
Answer:"""


def _url(settings: PgvectorSettings) -> str:
    if settings.pgvector_database_url is None:
        raise RuntimeError("PGVECTOR_DATABASE_URL is not set (see .env.example)")
    return settings.pgvector_database_url.get_secret_value()


def ingest(folder: Path, settings: PgvectorSettings) -> int:
    """Chunk, embed and store every Markdown file in ``folder``; return the chunk count."""
    chunks = load_corpus(folder)
    vectors = embeddings.embed([c.text for c in chunks], settings) if chunks else []
    with store.connect(_url(settings)) as conn:
        store.ensure_schema(conn, settings.pgvector_table, settings.pgvector_dimensions)
        return store.upsert(conn, settings.pgvector_table, chunks, vectors)


def answer(question: str, settings: PgvectorSettings) -> Prediction:
    [vector] = embeddings.embed([question], settings)
    with store.connect(_url(settings)) as conn:
        hits = store.search(conn, settings.pgvector_table, vector, settings.pgvector_top_k)
    context = "\n\n".join(f"[{source}]\n{body}" for source, body, _ in hits)
    text = embeddings.complete(PROMPT.format(context=context, question=question), settings)
    return Prediction(answer=text.strip(), sources=list(dict.fromkeys(s for s, _, _ in hits)))
