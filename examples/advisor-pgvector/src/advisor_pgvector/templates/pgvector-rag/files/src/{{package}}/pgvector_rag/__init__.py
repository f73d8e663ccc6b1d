"""RAG over PostgreSQL + pgvector: chunk the corpus, embed, store, retrieve, answer.

Provider clients (``openai``, ``psycopg``) are imported inside functions, so the CLI and
the tests that need neither start fast.
"""
