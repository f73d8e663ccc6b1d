"""A local in-memory Weaviate on 127.0.0.1 that speaks REST and gRPC to the real client.

REST (pytest-httpserver): the endpoints the client calls to connect and manage the schema
(``/v1/meta``, ``/v1/.well-known/*``, ``/v1/schema``, ``/v1/nodes``, shard status).
gRPC (an in-process ``grpc.server`` with the client's own generated stubs from
``weaviate.proto.v1``): the health check the client makes on connect, ``BatchObjects``,
``BatchDelete`` and ``Search`` (filters: equality, comparisons and like; near-vector,
near-text and hybrid).

Objects live in a dict. Text properties are matched by word overlap and vectors by cosine
similarity; for collections configured with ``text2vec-openai`` the fake vectorizes with
the same hashed bag of words as the fake OpenAI server, standing in for the module. Every
REST request's headers and every gRPC call's metadata are recorded.
"""

from __future__ import annotations

import fnmatch
import json
import re
import struct
import uuid
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from pytest_httpserver import HTTPServer
from weaviate.proto.v1 import (
    base_pb2,
    batch_delete_pb2,
    batch_pb2,
    health_weaviate_pb2,
    properties_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)
from werkzeug import Request, Response

from .fake_openai import embedding, tokens

VERSION = "1.33.0"
Op = base_pb2.Filters


@dataclass
class StoredObject:
    uuid: str
    properties: dict[str, Any]
    vector: list[float] | None


@dataclass
class FakeWeaviate:
    """The running fake: its ports, schema, objects and what it was sent."""

    http: HTTPServer
    grpc_server: grpc.Server
    grpc_port: int
    schema: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: dict[str, dict[str, StoredObject]] = field(default_factory=dict)
    rest_headers: list[dict[str, str]] = field(default_factory=list)
    grpc_metadata: list[dict[str, str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    searches: list[search_get_pb2.SearchRequest] = field(default_factory=list)
    reject: Callable[[dict[str, Any]], str | None] = lambda properties: None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    def stop(self) -> None:
        self.grpc_server.stop(grace=None)
        self.http.stop()

    # --- REST ----------------------------------------------------------------------

    def handle_rest(self, request: Request) -> Response:
        self.rest_headers.append(dict(request.headers))
        path, method = request.path, request.method
        self.calls.append(f"{method} {path}")
        if path == "/v1/meta":
            modules = {"text2vec-openai": {}, "generative-openai": {}}
            return _json({"hostname": "http://[::]:8080", "version": VERSION, "modules": modules})
        if path in ("/v1/.well-known/ready", "/v1/.well-known/live"):
            return Response(status=200)
        if path == "/v1/nodes":
            node = {"name": "node1", "status": "HEALTHY", "version": VERSION, "shards": []}
            node["batchStats"] = {"queueLength": 0, "ratePerSecond": 1000}
            return _json({"nodes": [node]})
        if path == "/v1/schema" and method == "POST":
            spec = _with_server_defaults(json.loads(request.get_data(as_text=True)))
            self.schema[spec["class"]] = spec
            self.objects.setdefault(spec["class"], {})
            return _json(spec)
        if path == "/v1/schema" and method == "GET":
            return _json({"classes": list(self.schema.values())})
        shards = re.fullmatch(r"/v1/schema/([^/]+)/shards", path)
        if shards and shards.group(1) in self.schema:
            return _json([{"name": "shard0", "status": "READY", "vectorQueueSize": 0}])
        match = re.fullmatch(r"/v1/schema/([^/]+)", path)
        if match:
            name = match.group(1)
            if name not in self.schema:
                return _json({"error": [{"message": f"class {name} not found"}]}, 404)
            if method == "DELETE":
                del self.schema[name]
                self.objects.pop(name, None)
                return Response(status=200)
            return _json(self.schema[name])
        return _json({"error": [{"message": f"not served by the fake: {method} {path}"}]}, 404)

    # --- gRPC ----------------------------------------------------------------------

    def record(self, context: grpc.ServicerContext, name: str) -> None:
        self.calls.append(f"grpc {name}")
        self.grpc_metadata.append({key: value for key, value in context.invocation_metadata()})

    def vectorizer(self, collection: str) -> str:
        config = self.schema[collection].get("vectorConfig", {})
        for named in config.values():
            return next(iter(named.get("vectorizer", {"none": {}})))
        return "none"

    def data_type(self, collection: str, prop: str) -> str:
        for spec in self.schema[collection].get("properties", []):
            if spec["name"] == prop:
                return spec["dataType"][0]
        return "text"

    def insert(self, obj: batch_pb2.BatchObject) -> str | None:
        if obj.collection not in self.schema:
            return f"collection {obj.collection} does not exist"
        properties = dict(obj.properties.non_ref_properties.items())
        for name, value in properties.items():
            if self.data_type(obj.collection, name) == "int":
                properties[name] = int(value)
        error = self.reject(properties)
        if error:
            return error
        vector = _object_vector(obj)
        if vector is None and self.vectorizer(obj.collection) == "text2vec-openai":
            vector = embedding(f"{properties.get('heading', '')}\n{properties.get('text', '')}")
        self.objects[obj.collection][obj.uuid] = StoredObject(obj.uuid, properties, vector)
        return None

    def search(self, request: search_get_pb2.SearchRequest) -> search_get_pb2.SearchReply:
        self.searches.append(request)
        stored = self.objects.get(request.collection, {}).values()
        filtered = request.HasField("filters")
        candidates = [o for o in stored if _matches(o, request.filters, filtered)]
        scored: list[tuple[float, StoredObject, float | None, float | None]] = []
        if request.HasField("hybrid_search"):
            hybrid = request.hybrid_search
            query_vector = _hybrid_vector(hybrid) or embedding(hybrid.query)
            use_param = getattr(hybrid, "use_alpha_param", False)
            alpha = hybrid.alpha_param if use_param else hybrid.alpha
            for obj in candidates:
                similarity = _cosine(query_vector, obj.vector)
                keywords = _keyword_score(hybrid.query, obj.properties)
                score = alpha * similarity + (1 - alpha) * keywords
                scored.append((-score, obj, score, None))
        elif request.HasField("near_vector") or request.HasField("near_text"):
            if request.HasField("near_vector"):
                query_vector = _near_vector(request.near_vector)
            else:
                query_vector = embedding(" ".join(request.near_text.query))
            for obj in candidates:
                distance = 1.0 - _cosine(query_vector, obj.vector)
                scored.append((distance, obj, None, distance))
        else:
            scored = [(0.0, obj, None, None) for obj in candidates]
        scored.sort(key=lambda item: item[0])
        limit = request.limit or len(scored)
        wanted = list(request.properties.non_ref_properties)
        results = [
            self._result(request.collection, obj, wanted, score, distance)
            for _, obj, score, distance in scored[:limit]
        ]
        return search_get_pb2.SearchReply(took=0.001, results=results)

    def _result(
        self,
        collection: str,
        obj: StoredObject,
        wanted: list[str],
        score: float | None,
        distance: float | None,
    ) -> search_get_pb2.SearchResult:
        fields = {}
        for name in wanted or list(obj.properties):
            if name in obj.properties:
                fields[name] = _value(obj.properties[name], self.data_type(collection, name))
        metadata = search_get_pb2.MetadataResult(
            id=obj.uuid, id_as_bytes=uuid.UUID(obj.uuid).bytes
        )
        if score is not None:
            metadata.score, metadata.score_present = score, True
        if distance is not None:
            metadata.distance, metadata.distance_present = distance, True
        return search_get_pb2.SearchResult(
            properties=search_get_pb2.PropertiesResult(
                target_collection=collection,
                non_ref_props=properties_pb2.Properties(fields=fields),
            ),
            metadata=metadata,
        )

    def delete(self, request: batch_delete_pb2.BatchDeleteRequest) -> int:
        stored = self.objects.get(request.collection, {})
        doomed = [key for key, obj in stored.items() if _matches(obj, request.filters, True)]
        for key in doomed:
            del stored[key]
        return len(doomed)


class _Servicer(weaviate_pb2_grpc.WeaviateServicer):
    def __init__(self, fake: FakeWeaviate) -> None:
        self.fake = fake

    def BatchObjects(self, request, context):
        self.fake.record(context, "BatchObjects")
        errors = []
        for index, obj in enumerate(request.objects):
            error = self.fake.insert(obj)
            if error:
                errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error=error))
        return batch_pb2.BatchObjectsReply(took=0.001, errors=errors)

    def BatchDelete(self, request, context):
        self.fake.record(context, "BatchDelete")
        deleted = self.fake.delete(request)
        return batch_delete_pb2.BatchDeleteReply(
            took=0.001, matches=deleted, successful=deleted, failed=0
        )

    def Search(self, request, context):
        self.fake.record(context, "Search")
        return self.fake.search(request)


def start() -> FakeWeaviate:
    """Start both servers on free ports of 127.0.0.1."""
    http = HTTPServer(host="127.0.0.1", port=0)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    port = server.add_insecure_port("127.0.0.1:0")
    fake = FakeWeaviate(http, server, port)
    http.expect_request(re.compile(r".*")).respond_with_handler(fake.handle_rest)
    weaviate_pb2_grpc.add_WeaviateServicer_to_server(_Servicer(fake), server)
    server.add_generic_rpc_handlers((_health_handler(fake),))
    server.start()
    http.start()
    return fake


def _health_handler(fake: FakeWeaviate) -> grpc.GenericRpcHandler:
    """``grpc.health.v1.Health/Check``, which the client calls while connecting."""
    response = health_weaviate_pb2.WeaviateHealthCheckResponse

    def check(request, context):
        fake.record(context, "Health/Check")
        return response(status=response.SERVING)

    return grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {
            "Check": grpc.unary_unary_rpc_method_handler(
                check,
                request_deserializer=health_weaviate_pb2.WeaviateHealthCheckRequest.FromString,
                response_serializer=response.SerializeToString,
            )
        },
    )


# --- helpers ---------------------------------------------------------------------------

_HNSW_DEFAULTS = {
    "skip": False,
    "cleanupIntervalSeconds": 300,
    "maxConnections": 32,
    "efConstruction": 128,
    "ef": -1,
    "dynamicEfMin": 100,
    "dynamicEfMax": 500,
    "dynamicEfFactor": 8,
    "vectorCacheMaxObjects": 1_000_000_000_000,
    "flatSearchCutoff": 40_000,
    "distance": "cosine",
}


def _with_server_defaults(spec: dict[str, Any]) -> dict[str, Any]:
    """The class as a Weaviate server returns it: the defaults it fills in, filled in."""
    for prop in spec.get("properties", []):
        text = prop["dataType"][0] == "text"
        prop.setdefault("indexFilterable", True)
        prop.setdefault("indexSearchable", text)
        prop.setdefault("indexRangeFilters", False)
        if text:
            prop.setdefault("tokenization", "word")
    for named in spec.get("vectorConfig", {}).values():
        named.setdefault("vectorIndexType", "hnsw")
        named["vectorIndexConfig"] = {**_HNSW_DEFAULTS, **named.get("vectorIndexConfig", {})}
    spec.setdefault("moduleConfig", {})
    spec.setdefault(
        "invertedIndexConfig",
        {
            "bm25": {"b": 0.75, "k1": 1.2},
            "cleanupIntervalSeconds": 60,
            "stopwords": {"preset": "en", "additions": None, "removals": None},
        },
    )
    spec.setdefault(
        "multiTenancyConfig",
        {"enabled": False, "autoTenantCreation": False, "autoTenantActivation": False},
    )
    spec.setdefault("replicationConfig", {"factor": 1})
    spec["replicationConfig"].setdefault("deletionStrategy", "NoAutomatedResolution")
    shards = spec.get("shardingConfig", {}).get("desiredCount", 1)
    spec["shardingConfig"] = {
        "virtualPerPhysical": 128,
        "desiredCount": shards,
        "actualCount": shards,
        "desiredVirtualCount": 128 * shards,
        "actualVirtualCount": 128 * shards,
        "key": "_id",
        "strategy": "hash",
        "function": "murmur3",
    }
    return spec



def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _floats(data: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(data) // 4}f", data))


def _object_vector(obj: batch_pb2.BatchObject) -> list[float] | None:
    if obj.vector_bytes:
        return _floats(obj.vector_bytes)
    if obj.vectors:
        return _floats(obj.vectors[0].vector_bytes)
    return list(obj.vector) or None


def _near_vector(near: Any) -> list[float]:
    if near.vector_bytes:
        return _floats(near.vector_bytes)
    if near.vectors:
        return _floats(near.vectors[0].vector_bytes)
    return list(near.vector)


def _hybrid_vector(hybrid: Any) -> list[float] | None:
    if hybrid.vector_bytes:
        return _floats(hybrid.vector_bytes)
    if hybrid.vectors:
        return _floats(hybrid.vectors[0].vector_bytes)
    if hybrid.HasField("near_vector"):
        return _near_vector(hybrid.near_vector)
    return None


def _cosine(a: list[float], b: list[float] | None) -> float:
    if not b or len(a) != len(b):
        return 0.0
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5)
    return dot / norm if norm else 0.0


def _keyword_score(query: str, properties: dict[str, Any]) -> float:
    wanted = set(tokens(query))
    if not wanted:
        return 0.0
    have = set(tokens(f"{properties.get('heading', '')} {properties.get('text', '')}"))
    return len(wanted & have) / len(wanted)


def _matches(obj: StoredObject, filters: base_pb2.Filters, present: bool) -> bool:
    if not present:
        return True
    op = filters.operator
    if op == Op.OPERATOR_AND:
        return all(_matches(obj, sub, True) for sub in filters.filters)
    if op == Op.OPERATOR_OR:
        return any(_matches(obj, sub, True) for sub in filters.filters)
    name = filters.target.property if filters.HasField("target") else filters.on[0]
    value = obj.properties.get(name)
    kind = filters.WhichOneof("test_value")
    expected = getattr(filters, kind) if kind else None
    if op == Op.OPERATOR_EQUAL:
        return value == expected
    if op == Op.OPERATOR_NOT_EQUAL:
        return value != expected
    if op == Op.OPERATOR_LIKE:  # Weaviate's wildcards: * any run of characters, ? one
        return isinstance(value, str) and fnmatch.fnmatchcase(value, expected)
    if value is None:
        return False
    comparisons = {
        Op.OPERATOR_GREATER_THAN: value > expected,
        Op.OPERATOR_GREATER_THAN_EQUAL: value >= expected,
        Op.OPERATOR_LESS_THAN: value < expected,
        Op.OPERATOR_LESS_THAN_EQUAL: value <= expected,
    }
    if op not in comparisons:
        raise ValueError(f"filter operator {op} is not served by the fake")
    return comparisons[op]


def _value(value: Any, data_type: str) -> properties_pb2.Value:
    if data_type == "int":
        return properties_pb2.Value(int_value=int(value))
    if data_type == "number":
        return properties_pb2.Value(number_value=float(value))
    return properties_pb2.Value(text_value=str(value))
