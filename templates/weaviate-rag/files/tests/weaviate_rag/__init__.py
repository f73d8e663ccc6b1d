"""Tests of the RAG backend; local fakes of Weaviate and OpenAI live beside them."""
