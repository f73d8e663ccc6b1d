"""The chunk table in PostgreSQL: schema, upserts and nearest-neighbour search.

Vectors travel as pgvector's text form (``[0.1,0.2]``) cast with ``::vector``, so no
extra adapter package is needed; the table name is quoted as an identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .chunks import Chunk

if TYPE_CHECKING:
    import psycopg


def vector_literal(values: Sequence[float]) -> str:
    """pgvector's text input format."""
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def connect(url: str) -> psycopg.Connection:
    import psycopg

    return psycopg.connect(url, connect_timeout=10)


def ensure_schema(conn: psycopg.Connection, table: str, dimensions: int) -> None:
    from psycopg import sql

    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (source text NOT NULL, chunk integer NOT NULL, "
            "body text NOT NULL, embedding vector({}) NOT NULL, PRIMARY KEY (source, chunk))"
        ).format(sql.Identifier(table), sql.Literal(dimensions))
    )


def upsert(
    conn: psycopg.Connection,
    table: str,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
) -> int:
    """Insert or replace chunks with their vectors; return how many were written."""
    from psycopg import sql

    statement = sql.SQL(
        "INSERT INTO {} (source, chunk, body, embedding) VALUES (%s, %s, %s, %s::vector) "
        "ON CONFLICT (source, chunk) DO UPDATE SET body = EXCLUDED.body, "
        "embedding = EXCLUDED.embedding"
    ).format(sql.Identifier(table))
    rows = [
        (chunk.source, chunk.index, chunk.text, vector_literal(vector))
        for chunk, vector in zip(chunks, vectors, strict=True)
    ]
    with conn.cursor() as cursor:
        cursor.executemany(statement, rows)
    return len(rows)


def search(
    conn: psycopg.Connection, table: str, vector: Sequence[float], k: int
) -> list[tuple[str, str, float]]:
    """The ``k`` chunks nearest to ``vector`` by cosine distance: (source, body, distance)."""
    from psycopg import sql

    statement = sql.SQL(
        "SELECT source, body, embedding <=> %s::vector AS distance FROM {} "
        "ORDER BY distance LIMIT %s"
    ).format(sql.Identifier(table))
    return [tuple(row) for row in conn.execute(statement, (vector_literal(vector), k))]
