"""Weaviate: connecting, the collection's schema, batch import, deletes and search.

`weaviate` is imported inside the functions, so `--help` and the unit tests of chunking
never load it. Where Weaviate runs:

- ``WEAVIATE_URL`` unset: embedded Weaviate (``weaviate.connect_to_embedded``), its data in
  ``WEAVIATE_DATA_PATH`` inside the project folder;
- a ``*.weaviate.cloud`` URL: Weaviate Cloud with ``WEAVIATE_API_KEY``;
- any other URL: a server or cluster (REST at the URL, gRPC at ``WEAVIATE_GRPC_HOST``:
  ``WEAVIATE_GRPC_PORT``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from .prompting import Hit

if TYPE_CHECKING:
    from weaviate import WeaviateClient
    from weaviate.collections import Collection

    from .settings import RagSettings

CLOUD_SUFFIXES = (".weaviate.cloud", ".weaviate.network")
RETURNED_PROPERTIES = ["text", "source", "page", "heading"]


class StoreError(click.ClickException):
    """Weaviate is unreachable or refused a request; one line, no keys."""

    exit_code = 1


@dataclass(frozen=True)
class ChunkObject:
    """One object to import: a deterministic id, its properties and (maybe) its vector."""

    uuid: str
    properties: dict[str, Any]
    vector: list[float] | None = None


def describe_location(settings: RagSettings) -> str:
    """Where Weaviate is, for messages: the URL's scheme, host and port (never credentials)."""
    if not settings.weaviate_url:
        return f"embedded Weaviate in {settings.weaviate_data_path}"
    parts = urlsplit(settings.weaviate_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _headers(settings: RagSettings) -> dict[str, str]:
    """Weaviate's text2vec-openai and generative-openai modules take the key per request."""
    key = settings.openai_key_or_none()
    return {"X-OpenAI-Api-Key": key} if key else {}


@contextmanager
def connect(settings: RagSettings) -> Iterator[WeaviateClient]:
    """A connected client, closed on exit."""
    import weaviate
    from weaviate.classes.init import Auth
    from weaviate.exceptions import WeaviateBaseError

    headers = _headers(settings)
    api_key = settings.weaviate_api_key.get_secret_value() if settings.weaviate_api_key else None
    auth = Auth.api_key(api_key) if api_key else None
    try:
        if not settings.weaviate_url:
            client = _start_embedded(settings, headers)
        else:
            parts = urlsplit(settings.weaviate_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise StoreError(
                    f"WEAVIATE_URL must be an http(s) URL such as http://localhost:8080, "
                    f"got {describe_location(settings)!r}"
                )
            secure = parts.scheme == "https"
            if parts.hostname.endswith(CLOUD_SUFFIXES):
                client = weaviate.connect_to_weaviate_cloud(
                    cluster_url=settings.weaviate_url, auth_credentials=auth, headers=headers
                )
            else:
                client = weaviate.connect_to_custom(
                    http_host=parts.hostname,
                    http_port=parts.port or (443 if secure else 80),
                    http_secure=secure,
                    grpc_host=settings.weaviate_grpc_host or parts.hostname,
                    grpc_port=settings.weaviate_grpc_port,
                    grpc_secure=secure,
                    headers=headers,
                    auth_credentials=auth,
                )
    except WeaviateBaseError as exc:
        raise StoreError(
            f"cannot connect to {describe_location(settings)}: {type(exc).__name__}"
        ) from None
    try:
        yield client
    finally:
        client.close()


def _start_embedded(settings: RagSettings, headers: dict[str, str]) -> WeaviateClient:
    """Embedded Weaviate; its first start downloads the Weaviate binary, which needs the
    network: without it, one line saying so instead of urllib's traceback."""
    import weaviate

    data_path = settings.weaviate_data_path.resolve()
    data_path.mkdir(parents=True, exist_ok=True)
    try:
        return weaviate.connect_to_embedded(persistence_data_path=str(data_path), headers=headers)
    except OSError as exc:  # urllib's URLError while downloading, a refused port
        reason = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
        raise StoreError(
            f"embedded Weaviate could not start ({reason}): it downloads the Weaviate binary "
            "once, which needs the network; or set WEAVIATE_URL to a running Weaviate "
            "(`docker compose up -d` starts one: see docker-compose.yml)"
        ) from None


def collection_config(settings: RagSettings) -> dict[str, Any]:
    """Arguments of ``client.collections.create`` (the current v4 configuration API)."""
    from weaviate.classes.config import Configure, DataType, Property, Tokenization

    if settings.vectorizer == "text2vec-openai":
        vector_config = Configure.Vectors.text2vec_openai(
            model=settings.embedding_model,
            base_url=module_base_url(settings.embedding_url()),
            source_properties=["heading", "text"],
        )
    else:
        vector_config = Configure.Vectors.self_provided()
    config: dict[str, Any] = {
        "name": settings.collection,
        "description": "Document chunks for retrieval-augmented answers",
        "properties": [
            Property(name="text", data_type=DataType.TEXT),
            Property(name="heading", data_type=DataType.TEXT),
            Property(
                name="source",
                data_type=DataType.TEXT,
                tokenization=Tokenization.FIELD,
                skip_vectorization=True,
            ),
            Property(name="page", data_type=DataType.INT, skip_vectorization=True),
            Property(name="chunk_index", data_type=DataType.INT, skip_vectorization=True),
            Property(
                name="fingerprint",
                data_type=DataType.TEXT,
                tokenization=Tokenization.FIELD,
                skip_vectorization=True,
            ),
        ],
        "vector_config": vector_config,
{% if deployment == "api" %}
        "generative_config": Configure.Generative.openai(
            model=settings.chat_model, base_url=module_base_url(settings.openai_base_url)
        ),
{% endif %}
        "replication_config": Configure.replication(factor=settings.weaviate_replication_factor),
    }
    if settings.weaviate_shards is not None:
        config["sharding_config"] = Configure.sharding(desired_count=settings.weaviate_shards)
    return config


def module_base_url(openai_base_url: str | None) -> str | None:
    """Weaviate's OpenAI modules append ``/v1/...`` themselves: pass the URL without it."""
    if not openai_base_url:
        return None
    url = openai_base_url.rstrip("/")
    return url.removesuffix("/v1") or None


def open_collection(client: WeaviateClient, settings: RagSettings, *, create: bool) -> Collection:
    """The configured collection; created on first use when ``create`` is set."""
    from weaviate.exceptions import WeaviateBaseError

    try:
        if client.collections.exists(settings.collection):
            return client.collections.use(settings.collection)
        if not create:
            raise StoreError(
                f"collection {settings.collection!r} does not exist in "
                f"{describe_location(settings)}: run `ingest` first"
            )
        return client.collections.create(**collection_config(settings))
    except WeaviateBaseError as exc:
        raise StoreError(
            f"collection {settings.collection!r}: {type(exc).__name__}: {_first_line(exc)}"
        ) from None


def stored_fingerprints(collection: Collection, source: str, limit: int) -> list[str]:
    """The fingerprints of up to ``limit`` chunks stored for ``source``."""
    from weaviate.classes.query import Filter

    result = collection.query.fetch_objects(
        filters=Filter.by_property("source").equal(source),
        limit=limit,
        return_properties=["fingerprint"],
    )
    return [str(obj.properties.get("fingerprint", "")) for obj in result.objects]


def delete_chunks_from(collection: Collection, source: str, first_stale: int) -> int:
    """Delete ``source``'s chunks numbered ``first_stale`` and up; how many went."""
    from weaviate.classes.query import Filter

    where = Filter.by_property("source").equal(source) & Filter.by_property(
        "chunk_index"
    ).greater_or_equal(first_stale)
    result = collection.data.delete_many(where=where)
    return int(result.successful)


def search(
    collection: Collection,
    settings: RagSettings,
    question: str,
    vector: Sequence[float] | None,
) -> list[Hit]:
    """Top-k chunks for ``question``: near-text (or near-vector for self-provided vectors),
    or hybrid (BM25 + vector, weighted by ``RAG_HYBRID_ALPHA``)."""
    from weaviate.classes.query import MetadataQuery
    from weaviate.exceptions import WeaviateBaseError

    common: dict[str, Any] = {
        "limit": settings.top_k,
        "return_properties": RETURNED_PROPERTIES,
        "return_metadata": MetadataQuery(score=True, distance=True),
    }
    query = collection.query
    try:
        if settings.search_mode == "hybrid":
            result = query.hybrid(
                query=question,
                vector=list(vector) if vector is not None else None,
                alpha=settings.hybrid_alpha,
                **common,
            )
        elif vector is not None:
            result = query.near_vector(near_vector=list(vector), **common)
        else:
            result = query.near_text(query=question, **common)
    except WeaviateBaseError as exc:
        raise StoreError(f"search failed: {type(exc).__name__}: {_first_line(exc)}") from None
    return [_hit(obj) for obj in result.objects]
{% if "fine-tune" in approaches %}


def chunks_of_file(collection: Collection, file_name: str, limit: int = 10_000) -> list[Hit]:
    """The stored chunks of every file named ``file_name`` (in any folder), in file order."""
    from weaviate.classes.query import Filter
    from weaviate.exceptions import WeaviateBaseError

    try:
        result = collection.query.fetch_objects(
            filters=Filter.by_property("source").like(f"*{file_name}"),
            limit=limit,
            return_properties=[*RETURNED_PROPERTIES, "chunk_index"],
        )
    except WeaviateBaseError as exc:
        raise StoreError(
            f"reading the chunks of {file_name} failed: {type(exc).__name__}: {_first_line(exc)}"
        ) from None
    found = [
        obj
        for obj in result.objects
        if str(obj.properties.get("source", "")).rsplit("/", 1)[-1] == file_name
    ]
    found.sort(key=lambda obj: (str(obj.properties["source"]), obj.properties["chunk_index"]))
    return [_hit(obj) for obj in found]
{% endif %}


def _hit(obj: Any) -> Hit:
    props = obj.properties
    meta = obj.metadata
    score = meta.score if meta is not None else None
    if score is None and meta is not None and meta.distance is not None:
        score = 1.0 - meta.distance
    page = props.get("page")
    return Hit(
        text=str(props.get("text", "")),
        source=str(props.get("source", "")),
        page=int(page) if page is not None else None,
        heading=str(props.get("heading") or ""),
        score=score,
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""
