"""The store's SQL against a real PostgreSQL with pgvector, when one is configured."""

import os
import uuid

import pytest

from {{ package }}.pgvector_rag import store
from {{ package }}.pgvector_rag.chunks import Chunk


def test_vector_literal_is_pgvector_text_input():
    assert store.vector_literal([1, 0.5, -2]) == "[1.0,0.5,-2.0]"


@pytest.mark.skipif(
    not os.environ.get("PGVECTOR_TEST_DATABASE_URL"),
    reason="set PGVECTOR_TEST_DATABASE_URL to a throwaway PostgreSQL with pgvector",
)
def test_nearest_chunks_come_back_first():
    table = "test_chunks_" + uuid.uuid4().hex[:8]
    chunks = [Chunk("a.md", 0, "alpha"), Chunk("b.md", 0, "beta"), Chunk("c.md", 0, "gamma")]
    vectors = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.7, 0.7, 0.0]]
    with store.connect(os.environ["PGVECTOR_TEST_DATABASE_URL"]) as conn:
        try:
            store.ensure_schema(conn, table, 3)
            assert store.upsert(conn, table, chunks, vectors) == 3
            hits = store.search(conn, table, [0.9, 0.1, 0.0], k=2)
        finally:
            conn.execute(f'DROP TABLE IF EXISTS "{table}"')

    assert [source for source, _, _ in hits] == ["a.md", "c.md"]
