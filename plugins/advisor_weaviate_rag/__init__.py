"""Built-in backend ``weaviate-rag``: retrieval with citations on Weaviate.

It registers exactly as a third-party plugin would (entry point ``weaviate-rag`` in the
``advisor`` group) and imports nothing but :mod:`advisor.api`. The starter it scaffolds
ingests Markdown, text and PDF files into a Weaviate collection and answers questions with
an OpenAI chat model, printing the sources (file, page) under the answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from advisor.api import (
    N_,
    Backend,
    EnvVar,
    InputError,
    Question,
    ScaffoldContext,
    chat_model,
    chat_model_facts,
    hookimpl,
    templates_path,
)

NAME = "weaviate-rag"
# Weaviate collection (class) names: a capital letter, then letters, digits, underscores.
COLLECTION_NAME = re.compile(r"^[A-Z][_0-9A-Za-z]{0,254}$")
WEAVIATE_CLIENT = "weaviate-client>=4.17,<4.24"
# Open-weights models a self-hosted project serves with vLLM (docker-compose.yml) when the
# model answers are left at their OpenAI defaults: a multilingual embedding model (the
# sample corpus has Korean) and an instruct model of the size one GPU serves.
LOCAL_EMBEDDING_MODEL = "BAAI/bge-m3"
LOCAL_CHAT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
# vLLM's OpenAI-compatible server image (``--runner pooling`` serves embedding models).
VLLM_IMAGE = "vllm/vllm-openai:v0.11.2"
# Sent with every answer request to a model known to accept it, so evaluations repeat.
TEMPERATURE = 0.0


@cache
def questions() -> tuple[Question, ...]:
    """The questions, built on first use: the chat model's default is the price book's
    current default (read from data, never a literal snapshot that may retire)."""
    return (
        Question(
            "rag_collection",
            "str",
            N_("Weaviate collection that holds the document chunks."),
            default="Documents",
        ),
        Question(
            "rag_vectorizer",
            "choice",
            N_("Who computes the vectors?"),
            choices=("text2vec-openai", "self-provided"),
            default="text2vec-openai",
            choice_help={
                "text2vec-openai": N_(
                    "Weaviate's text2vec-openai module embeds on import and query"
                ),
                "self-provided": N_("the starter embeds with the OpenAI API and sends the vectors"),
            },
        ),
        Question(
            "rag_embedding_model",
            "str",
            N_("OpenAI embedding model."),
            default="text-embedding-3-small",
        ),
        Question(
            "rag_chat_model",
            "str",
            N_("OpenAI chat model that writes the answers."),
            default=chat_model().model_id,
        ),
        Question(
            "rag_search_mode",
            "choice",
            N_("How chunks are retrieved."),
            choices=("near-text", "hybrid"),
            default="hybrid",
            choice_help={
                "near-text": N_("vector similarity only"),
                "hybrid": N_("vector similarity fused with BM25 keyword search"),
            },
        ),
        Question(
            "rag_top_k",
            "int",
            N_("Chunks retrieved per question."),
            default=5,
            minimum=1,
            maximum=50,
        ),
        Question(
            "rag_chunk_size",
            "int",
            N_("Chunk size in characters."),
            default=1000,
            minimum=50,
            maximum=100_000,
        ),
        Question(
            "rag_chunk_overlap",
            "int",
            N_("Overlap between consecutive chunks, in characters."),
            default=150,
            minimum=0,
            maximum=99_999,
        ),
    )


ENV: tuple[EnvVar, ...] = (
    EnvVar(
        "OPENAI_API_KEY",
        N_("API key of the OpenAI-compatible endpoint (OpenAI's, or a local server's --api-key)"),
        "sk-...",
        secret=True,
        local="",
    ),
    EnvVar(
        "OPENAI_BASE_URL",
        N_("OpenAI-compatible endpoint for answers; empty for OpenAI"),
        "",
        local="http://localhost:8000/v1",
    ),
    EnvVar(
        "RAG_EMBEDDING_BASE_URL",
        N_("OpenAI-compatible endpoint for embeddings; empty for OPENAI_BASE_URL"),
        "",
        local="http://localhost:8001/v1",
    ),
    EnvVar("OPENAI_TIMEOUT_S", N_("Timeout of each OpenAI request, in seconds"), "60"),
    EnvVar(
        "WEAVIATE_URL",
        N_("Weaviate server or Weaviate Cloud URL; empty for embedded"),
        "",
        local="http://localhost:8080",
    ),
    EnvVar(
        "WEAVIATE_API_KEY",
        N_("Weaviate API key (Weaviate Cloud, secured servers)"),
        "",
        secret=True,
    ),
    EnvVar("WEAVIATE_GRPC_HOST", N_("gRPC host of a server; empty for the URL's host"), ""),
    EnvVar("WEAVIATE_GRPC_PORT", N_("gRPC port of a server"), "50051"),
    EnvVar("WEAVIATE_DATA_PATH", N_("Embedded Weaviate's data folder"), ".weaviate"),
    EnvVar("WEAVIATE_REPLICATION_FACTOR", N_("Replicas per shard (clusters)"), "1"),
    EnvVar("WEAVIATE_SHARDS", N_("Shards of a new collection; empty for the server default"), ""),
    EnvVar("RAG_COLLECTION", N_("Weaviate collection name"), ""),
    EnvVar("RAG_VECTORIZER", N_("text2vec-openai or self-provided"), "", local="self-provided"),
    EnvVar("RAG_EMBEDDING_MODEL", N_("OpenAI embedding model"), ""),
    EnvVar(
        "RAG_CHAT_MODEL",
        N_("Chat model for answers (a hybrid project: unset = the fine-tuned model)"),
        "",
    ),
    EnvVar(
        "RAG_TEMPERATURE",
        N_("Sampling temperature sent with answers (0-2), or none: not sent (reasoning models "
        "accept only their default)"),
        "",
    ),
    EnvVar("RAG_SEARCH_MODE", N_("near-text or hybrid"), ""),
    EnvVar("RAG_TOP_K", N_("Chunks retrieved per question"), ""),
    EnvVar("RAG_HYBRID_ALPHA", N_("Hybrid weight: 0 keyword only, 1 vector only"), ""),
    EnvVar("RAG_CHUNK_SIZE", N_("Chunk size in characters"), ""),
    EnvVar("RAG_CHUNK_OVERLAP", N_("Chunk overlap in characters"), ""),
)


def extra_context(ctx: ScaffoldContext) -> Mapping[str, Any]:
    """Refuse answers the starter could not run with; add the models it runs with."""
    answers = ctx.answers
    name = answers["rag_collection"]
    if not COLLECTION_NAME.match(name):
        raise InputError(
            f"rag_collection: {name!r} is not a Weaviate collection name "
            "(allowed: a capital letter, then letters, digits or underscores)"
        )
    size, overlap = answers["rag_chunk_size"], answers["rag_chunk_overlap"]
    if overlap >= size:
        raise InputError(
            f"rag_chunk_overlap: {overlap} is not allowed "
            f"(allowed: an integer smaller than rag_chunk_size, {size})"
        )
    for key in ("rag_embedding_model", "rag_chat_model"):
        if any(ch.isspace() for ch in answers[key]):
            raise InputError(f"{key}: {answers[key]!r} is not a model name (no spaces allowed)")
    return {"rag_models": models_for(answers, ctx.deployment), "vllm_image": VLLM_IMAGE}


def models_for(answers: Mapping[str, Any], deployment: str) -> dict[str, Any]:
    """The embedding and chat models the starter defaults to, ``vectorizer`` and the
    ``temperature`` sent with answers.

    A self-hosted or air-gapped project cannot call OpenAI: a model answer left at its
    OpenAI default becomes the open-weights model its docker-compose.yml serves, and the
    starter computes the vectors itself (Weaviate runs no module that calls out).
    """
    chosen: dict[str, Any] = {
        "embedding": answers["rag_embedding_model"],
        "chat": answers["rag_chat_model"],
        "vectorizer": answers["rag_vectorizer"],
    }
    if deployment == "api":
        chosen["temperature"] = temperature_for(chosen["chat"])
        return chosen
    defaults = {q.key: q.default for q in questions()}
    if chosen["embedding"] == defaults["rag_embedding_model"]:
        chosen["embedding"] = LOCAL_EMBEDDING_MODEL
    if chosen["chat"] == defaults["rag_chat_model"]:
        chosen["chat"] = LOCAL_CHAT_MODEL
    chosen["vectorizer"] = "self-provided"
    chosen["temperature"] = TEMPERATURE  # the team's own vLLM server accepts it
    return chosen


def temperature_for(model: str) -> float | None:
    """:data:`TEMPERATURE` for a hosted model the price book knows accepts it, else None.

    OpenAI's reasoning models (gpt-5 onwards) answer a temperature other than their
    default with HTTP 400, and a model the book does not know may be one: the starter then
    sends none (``RAG_TEMPERATURE`` sets one).
    """
    facts = chat_model_facts(model)
    return TEMPERATURE if facts is not None and not facts.reasoning else None


@cache
def backend() -> Backend:
    """Built on first use: ``advisor decide`` loads plugins but never needs backends."""
    return Backend(
        name=NAME,
        approaches=("rag",),
        description=N_("RAG on Weaviate (embedded, server or Cloud) with OpenAI models; "
        "answers cite file and page"),
        template_dir=templates_path(NAME),
        questions=questions(),
        dependencies=(WEAVIATE_CLIENT, "openai>=1.66", "pypdf>=5.0"),
        dev_dependencies=("pytest-httpserver>=1.0", "grpcio>=1.66"),
        env=ENV,
        gitignore=(".weaviate/", "models/"),
        commands=("rag.commands",),
        eval_systems=("rag.systems",),
        next_steps=(
            "{{ project_slug }} ingest data/corpus   # {% if deployment == 'api' %}with "
            "OPENAI_API_KEY set in .env{% else %}with your embedding server running "
            "(RAG_EMBEDDING_BASE_URL in .env){% endif %}",
            '{{ project_slug }} ask "What daily sodium intake is recommended for adults '
            'with hypertension?"',
            # in a hybrid, the fine-tuning data: built from the index, before `train`
            '{% if "fine-tune" in approaches %}{{ project_slug }} raft-data{% endif %}',
            '{% if "fine-tune" in approaches %}{{ project_slug }} split data/raft/raft.jsonl'
            "{% endif %}",
            '{% if "fine-tune" in approaches %}{{ project_slug }} validate '
            "data/raft/raft.train.jsonl{% endif %}",
        ),
        extra_context=extra_context,
    )


@hookimpl
def register_backends(register: Any) -> None:
    register(backend())


@hookimpl
def register_doctor_checks(register: Any) -> None:
    """``advisor doctor``'s Weaviate checks (``checks.py``), imported only when it runs."""
    from . import checks

    checks.register_all(register)
