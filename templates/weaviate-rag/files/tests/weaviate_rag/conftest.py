"""Fixtures: the local Weaviate and OpenAI fakes, and an environment that points at them.

Nothing here reaches the internet. The weaviate client checks PyPI for a newer version while
connecting (a best-effort warning); the environment routes that request to a closed port on
127.0.0.1, and exempts 127.0.0.1 from the proxy so the fakes are reached directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import fake_openai, fake_weaviate

SETTINGS_VARIABLES = [
    *("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_TIMEOUT_S", "RAG_EMBEDDING_BASE_URL"),
    *("WEAVIATE_URL", "WEAVIATE_API_KEY", "WEAVIATE_GRPC_HOST", "WEAVIATE_GRPC_PORT"),
    *("WEAVIATE_DATA_PATH", "WEAVIATE_REPLICATION_FACTOR", "WEAVIATE_SHARDS"),
    *("RAG_COLLECTION", "RAG_VECTORIZER", "RAG_EMBEDDING_MODEL", "RAG_CHAT_MODEL"),
    "RAG_TEMPERATURE",
    *("RAG_SEARCH_MODE", "RAG_TOP_K", "RAG_HYBRID_ALPHA", "RAG_CHUNK_SIZE", "RAG_CHUNK_OVERLAP"),
]
TEST_KEY = "sk-test-key"
CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``live`` marker, so ``pytest -m live`` selects the real-Weaviate tests."""
    config.addinivalue_line("markers", "live: runs against a real Weaviate (WEAVIATE_URL)")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings from the outside world: no variables, and a working folder without .env."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def openai_server() -> Iterator[fake_openai.FakeOpenAI]:
    fake = fake_openai.start()
    yield fake
    fake.server.stop()


@pytest.fixture
def weaviate_server() -> Iterator[fake_weaviate.FakeWeaviate]:
    fake = fake_weaviate.start()
    yield fake
    fake.stop()


@pytest.fixture
def rag_env(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    openai_server: fake_openai.FakeOpenAI,
    weaviate_server: fake_weaviate.FakeWeaviate,
) -> Path:
    """Settings pointing at both fakes; returns the (empty) working folder."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
{% if deployment != "api" %}
    # Deployment {{ deployment }}: embeddings default to their own local server.
    monkeypatch.setenv("RAG_EMBEDDING_BASE_URL", openai_server.base_url)
{% endif %}
    monkeypatch.setenv("WEAVIATE_URL", weaviate_server.url)
    monkeypatch.setenv("WEAVIATE_GRPC_PORT", str(weaviate_server.grpc_port))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.delenv("ALL_PROXY", raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    return clean_env
