"""Retrieval-augmented generation on Weaviate: ingest documents, ask questions with sources.

`documents` loads files, `chunking` splits them, `store` talks to Weaviate, `llm` to an
OpenAI-compatible API, `prompting` builds the prompt and the printed sources, `pipeline`
ties them together for the `ingest` and `ask` commands (`commands`) and the evaluation
(`systems`).
"""
