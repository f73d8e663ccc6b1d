"""The real ``openai`` client against a local server that speaks the embeddings API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from pydantic import SecretStr

from {{ package }}.pgvector_rag.embeddings import embed
from {{ package }}.pgvector_rag.settings import PgvectorSettings


class EmbeddingsAPI(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers["Authorization"]
        EmbeddingsAPI.requests.append({"path": self.path, "auth": auth, **body})
        # Returned out of order on purpose: the client must sort by index.
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(text)), float(i)]}
            for i, text in reversed(list(enumerate(body["input"])))
        ]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = HTTPServer(("127.0.0.1", 0), EmbeddingsAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    EmbeddingsAPI.requests.clear()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_embed_returns_one_vector_per_text_in_order(api):
    settings = PgvectorSettings(
        openai_api_key=SecretStr("sk-test"), openai_base_url=api,
        pgvector_embedding_model="test-embedder",
    )

    vectors = embed(["one", "three"], settings)

    assert vectors == [[3.0, 0.0], [5.0, 1.0]]
    [request] = EmbeddingsAPI.requests
    assert request["path"] == "/v1/embeddings"
    assert request["auth"] == "Bearer sk-test"
    assert (request["model"], request["input"]) == ("test-embedder", ["one", "three"])


def test_settings_never_show_the_key():
    settings = PgvectorSettings(openai_api_key=SecretStr("sk-very-secret"))

    assert "sk-very-secret" not in repr(settings)
