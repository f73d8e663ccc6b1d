"""A local OpenAI-compatible HTTP server on 127.0.0.1 for driving the real `openai` client.

It serves ``POST /v1/embeddings`` and ``POST /v1/chat/completions`` with the API's JSON
shapes (including base64-encoded embeddings, which the client asks for by default) and
records every request, so tests can assert what was sent. Embeddings are a hashed bag of
words: texts that share words get similar vectors, which is enough for retrieval tests to
mean something. The default chat answer quotes the source line closest to the question;
asked for structured outputs, the server puts it in an object of the requested schema.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

DIMENSIONS = 64
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKEN.findall(text)]


def embedding(text: str) -> list[float]:
    """A deterministic unit vector: each word adds weight to one hashed dimension."""
    vector = [0.0] * DIMENSIONS
    for token in tokens(text):
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest()
        slot = int.from_bytes(digest, "big")
        vector[slot % DIMENSIONS] += 1.0 if slot & 1 << 31 else -1.0
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


def extractive_answer(messages: list[dict[str, Any]]) -> str:
    """Answer with the source line that shares the most words with the question, cited."""
    prompt = messages[-1]["content"]
    question = prompt.rsplit("Question:", 1)[-1]
    wanted = set(tokens(question))
    best, best_overlap = "I cannot answer from the documents.", 0
    number = ""
    for line in prompt.split("Question:", 1)[0].splitlines():
        label = re.match(r"^\[(\d+)\] ", line)
        if label:
            number = label.group(1)
            continue
        overlap = len(wanted & set(tokens(line)))
        if number and overlap > best_overlap:
            best, best_overlap = f"{line.strip()} [{number}]", overlap
    return best


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeOpenAI:
    """The server and what it has seen; ``answer`` decides chat replies."""

    server: HTTPServer
    answer: Callable[[list[dict[str, Any]]], str] = extractive_answer
    requests: list[Recorded] = field(default_factory=list)
    structured_outputs: bool = True  # False: a server that ignores ``response_format``
    # Models that answer like OpenAI's reasoning models: HTTP 400 for any temperature but 1.
    reasoning_models: set[str] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def embedding_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/embeddings")]

    def handle(self, request: Request) -> Response:
        body = json.loads(request.get_data(as_text=True) or "{}")
        self.requests.append(Recorded(request.path, body, dict(request.headers)))
        if request.headers.get("Authorization", "") != "Bearer sk-test-key":
            return _json({"error": {"message": "Incorrect API key provided", "type": "auth"}}, 401)
        if request.path == "/v1/embeddings":
            return _json(_embeddings(body))
        if request.path == "/v1/chat/completions":
            temperature = body.get("temperature", 1)
            if body.get("model") in self.reasoning_models and temperature != 1:
                return _json(
                    {
                        "error": {
                            "message": f"Unsupported value: 'temperature' does not support "
                            f"{temperature} with this model. Only the default (1) value is "
                            "supported.",
                            "type": "invalid_request_error",
                            "param": "temperature",
                            "code": "unsupported_value",
                        }
                    },
                    400,
                )
            text = self.answer(body["messages"])
            if self.structured_outputs:
                text = _structured(body.get("response_format"), text)
            return _json(_completion(body, text))
        return _json({"error": {"message": f"no route {request.path}"}}, 404)


def start(answer: Callable[[list[dict[str, Any]]], str] = extractive_answer) -> FakeOpenAI:
    server = HTTPServer(host="127.0.0.1", port=0)
    fake = FakeOpenAI(server, answer)
    server.expect_request(re.compile(r"^/v1/.*")).respond_with_handler(fake.handle)
    server.start()
    return fake


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = []
    for index, text in enumerate(inputs):
        vector = embedding(text)
        if body.get("encoding_format") == "base64":
            packed = struct.pack(f"<{len(vector)}f", *vector)
            encoded: Any = base64.b64encode(packed).decode("ascii")
        else:
            encoded = vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    used = sum(len(tokens(text)) for text in inputs)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": used, "total_tokens": used},
    }


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 1_790_000_000,
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _structured(response_format: dict[str, Any] | None, text: str) -> str:
    """With structured outputs asked for (``response_format`` of type ``json_schema``), the
    answer as an object of that schema: ``text`` in its string fields, a plain value of
    the declared type in the others. Otherwise ``text`` itself."""
    if not response_format or response_format.get("type") != "json_schema":
        return text
    plain = {"string": text, "boolean": True, "number": 0, "integer": 0, "array": []}
    properties = response_format["json_schema"]["schema"].get("properties", {})
    answer = {name: plain.get(field.get("type")) for name, field in properties.items()}
    return json.dumps(answer, ensure_ascii=False)


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")
