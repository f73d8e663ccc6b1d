"""Local stand-ins for the services ``advisor doctor`` checks, speaking their real protocols.

- :class:`FakeOpenAI`: the OpenAI REST endpoints the checks call (models, fine-tuning
  jobs, embeddings, in float or base64 encoding as the client asks), served by
  pytest-httpserver under ``/openai/v1``, with the API's error bodies and status codes.
- :class:`FakeWeaviate`: Weaviate's REST endpoints (meta, readiness, liveness, schema)
  plus an in-process gRPC server answering ``grpc.health.v1.Health/Check`` with the
  client's own generated messages, as the client pings it.
- :func:`silent_port`: a socket that accepts connections and never answers (timeouts).
- :func:`dead_port`: a port nothing listens on.

The real ``openai`` and ``weaviate`` clients talk to these over 127.0.0.1.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import struct
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

KEY = "sk-advisor-test-SECRET-1234567890abcdef"
WEAVIATE_KEY = "wv-advisor-test-SECRET-fedcba0987654321"


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _openai_error(status: int, message: str, code: str) -> Response:
    return _json(status, {"error": {"message": message, "type": "invalid_request_error",
                                    "param": None, "code": code}})


@dataclass
class FakeOpenAI:
    """The OpenAI API as the doctor's checks see it; change the fields to change answers."""

    server: HTTPServer
    key: str = KEY
    models: list[str] = field(
        default_factory=lambda: ["gpt-4.1-mini-2025-04-14", "text-embedding-3-small"]
    )
    jobs: int = 1
    fine_tuning_forbidden: bool = False
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile("^/openai/v1/.*")).respond_with_handler(self.handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/openai/v1")

    def handle(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.path.removeprefix('/openai')}")
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            # The real API names the key it refused; echo it whole, so a leak would show.
            sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
            return _openai_error(401, f"Incorrect API key provided: {sent}.", "invalid_api_key")
        path = request.path.removeprefix("/openai/v1")
        if path == "/models":
            return _json(200, {"object": "list", "data": [self._model(m) for m in self.models]})
        if path.startswith("/models/"):
            name = path.removeprefix("/models/")
            if name in self.models:
                return _json(200, self._model(name))
            return _openai_error(404, f"The model '{name}' does not exist", "model_not_found")
        if path == "/fine_tuning/jobs":
            if self.fine_tuning_forbidden:
                return _openai_error(
                    403, "You have insufficient permissions for this operation.", "forbidden"
                )
            return _json(200, {"object": "list", "has_more": False,
                               "data": [self._job(i) for i in range(self.jobs)]})
        if path == "/embeddings" and request.method == "POST":
            return self._embeddings(request.get_json())
        return _openai_error(404, f"Unknown request URL: {request.path}", "unknown_url")

    @staticmethod
    def _model(name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "openai"}

    @staticmethod
    def _job(index: int) -> dict[str, Any]:
        return {"id": f"ftjob-{index}", "object": "fine_tuning.job", "status": "succeeded",
                "model": "gpt-4.1-mini-2025-04-14", "created_at": 1_700_000_000,
                "fine_tuned_model": f"ft:gpt-4.1-mini-2025-04-14:org::{index}",
                "organization_id": "org-test", "result_files": [], "seed": 1,
                "training_file": "file-1", "validation_file": None, "trained_tokens": 10,
                "error": None, "finished_at": 1_700_000_100, "hyperparameters": {}}

    def _embeddings(self, body: dict[str, Any]) -> Response:
        if body.get("model") not in self.models:
            return _openai_error(404, f"The model '{body.get('model')}' does not exist",
                                 "model_not_found")
        vector = [0.25, -0.5, 0.125]
        if body.get("encoding_format") == "base64":
            encoded: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        else:
            encoded = vector
        return _json(200, {"object": "list", "model": body["model"],
                           "data": [{"object": "embedding", "index": 0, "embedding": encoded}],
                           "usage": {"prompt_tokens": 2, "total_tokens": 2}})


@dataclass
class FakeWeaviate:
    """Weaviate's REST API on pytest-httpserver plus its gRPC health service."""

    server: HTTPServer
    grpc_port: int
    key: str | None = None
    version: str = "1.30.5"
    modules: tuple[str, ...] = ("text2vec-openai", "generative-openai")
    ready: bool = True
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile("^/v1/.*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def handle(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.path}")
        path = request.path.removeprefix("/v1")
        if path == "/.well-known/ready":
            return Response(status=200 if self.ready else 503)
        if path == "/.well-known/live":
            return Response(status=200)
        if path == "/.well-known/openid-configuration":
            return Response(status=404)
        if self.key is not None and request.headers.get("Authorization") != f"Bearer {self.key}":
            return _json(401, {"code": 401, "message": "anonymous access not enabled"})
        if path == "/meta":
            return _json(200, {
                "hostname": "http://[::]:8080",
                "version": self.version,
                "modules": {m: {"documentationHref": "https://weaviate.io"} for m in self.modules},
                "grpcMaxMessageSize": 104858000,
            })
        if path == "/schema":
            return _json(200, {"classes": []})
        return _json(404, {"error": [{"message": f"no route {request.path}"}]})


@contextlib.contextmanager
def grpc_health_server(serving: bool = True) -> Iterator[int]:
    """An in-process gRPC server answering Weaviate's health check; yields its port."""
    import grpc
    from weaviate.proto.v1 import health_weaviate_pb2 as health

    reply = health.WeaviateHealthCheckResponse(
        status=health.WeaviateHealthCheckResponse.SERVING
        if serving
        else health.WeaviateHealthCheckResponse.NOT_SERVING
    )
    handler = grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {
            "Check": grpc.unary_unary_rpc_method_handler(
                lambda request, context: reply,
                request_deserializer=health.WeaviateHealthCheckRequest.FromString,
                response_serializer=health.WeaviateHealthCheckResponse.SerializeToString,
            )
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None)


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A listening socket that never accepts: connections open, requests go unanswered."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def dead_port() -> int:
    """A port that was free a moment ago and that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
