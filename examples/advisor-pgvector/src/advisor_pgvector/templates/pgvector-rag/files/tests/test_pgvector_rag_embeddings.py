"""The real ``openai`` client against a local server that speaks the embeddings and chat
APIs; like OpenAI's reasoning models, its ``reasoner`` refuses any temperature but 1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from pydantic import SecretStr

from {{ package }}.pgvector_rag.embeddings import complete, embed
from {{ package }}.pgvector_rag.settings import PgvectorSettings


class EmbeddingsAPI(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers["Authorization"]
        EmbeddingsAPI.requests.append({"path": self.path, "auth": auth, **body})
        if self.path.endswith("/chat/completions"):
            self.chat(body)
            return
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

    def chat(self, body):
        if body["model"] == "reasoner" and body.get("temperature", 1) != 1:
            status, payload = 400, {"error": {"message": "Unsupported value: 'temperature'",
                                              "type": "invalid_request_error"}}
        else:
            message = {"role": "assistant", "content": "answer"}
            status, payload = 200, {
                "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

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


def test_no_temperature_is_sent_unless_set(api):
    settings = PgvectorSettings(openai_api_key=SecretStr("sk-test"), openai_base_url=api,
                                pgvector_chat_model="reasoner", pgvector_temperature=None)
    assert complete("question?", settings) == "answer"
    assert "temperature" not in EmbeddingsAPI.requests[-1]
    settings = settings.model_copy(update={"pgvector_chat_model": "plain",
                                           "pgvector_temperature": 0.0})
    assert complete("question?", settings) == "answer"
    assert EmbeddingsAPI.requests[-1]["temperature"] == 0


DEFAULT_TEMPERATURE = {{ "None" if pgvector_temperature is none else pgvector_temperature }}


def test_the_default_chat_model_and_temperature_are_the_scaffolds():
    settings = PgvectorSettings(_env_file=None)
    assert settings.pgvector_chat_model == "{{ pgvector_chat_model }}"
    assert settings.pgvector_temperature == DEFAULT_TEMPERATURE
