"""The test RAG backend: a keyword lookup over a tiny in-memory corpus."""
