"""Ingest and ask against the local Weaviate (REST + gRPC) and OpenAI fakes, real clients.

These run the CLI as a user would; the fakes record what the clients sent, so the tests
check the protocol-level result: the collection's schema, the objects and their ids, the
searches, the prompt, and that keys reach the servers but never the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from {{ package }}.cli import main

from .conftest import CORPUS, TEST_KEY
from .fake_openai import FakeOpenAI
from .fake_weaviate import FakeWeaviate

COLLECTION = {{ answers.rag_collection | tojson }}
QUESTION = "What daily sodium intake is recommended for adults with hypertension?"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def copy_corpus(folder: Path) -> Path:
    target = folder / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def chunk_counts(fake: FakeWeaviate) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in fake.objects[COLLECTION].values():
        source = obj.properties["source"]
        counts[source] = counts.get(source, 0) + 1
    return counts


@pytest.fixture(params=["text2vec-openai", "self-provided"])
def vectorizer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RAG_VECTORIZER", request.param)
    return request.param


def test_ingest_creates_the_collection_with_the_v4_configuration(
    rag_env: Path,
    weaviate_server: FakeWeaviate,
    openai_server: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("RAG_VECTORIZER", "text2vec-openai")
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "text-embedding-3-large")
    monkeypatch.setenv("RAG_CHAT_MODEL", "gpt-test-chat")
    monkeypatch.setenv("WEAVIATE_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("WEAVIATE_SHARDS", "2")

    result = run("ingest", str(copy_corpus(rag_env)))

    assert result.exit_code == 0, result.output
    spec = weaviate_server.schema[COLLECTION]
    module = spec["vectorConfig"]["default"]["vectorizer"]["text2vec-openai"]
    assert module["model"] == "text-embedding-3-large"
    assert module["properties"] == ["heading", "text"]
    assert module["baseURL"].rstrip("/") == openai_server.base_url.removesuffix("/v1"), (
        "without /v1: Weaviate's module adds it"
    )
{% if deployment == "api" %}
    assert spec["moduleConfig"]["generative-openai"]["model"] == "gpt-test-chat"
{% else %}
    assert "generative-openai" not in spec["moduleConfig"], "self-hosted: no module calls out"
{% endif %}
    assert spec["replicationConfig"]["factor"] == 3
    assert spec["shardingConfig"]["desiredCount"] == 2
    source = next(p for p in spec["properties"] if p["name"] == "source")
    assert source["tokenization"] == "field", "exact-match filters on file names"
    assert chunk_counts(weaviate_server).keys() == {
        "corpus/diabetes.md",
        "corpus/hypertension-ko.md",
        "corpus/hypertension.md",
        "corpus/vaccination.md",
    }
    assert "grpc Health/Check" in weaviate_server.calls
    assert "grpc BatchObjects" in weaviate_server.calls
    assert any(m.get("x-openai-api-key") == TEST_KEY for m in weaviate_server.grpc_metadata)
    assert TEST_KEY not in result.output


def test_self_provided_vectors_are_computed_by_the_starter(
    rag_env: Path,
    weaviate_server: FakeWeaviate,
    openai_server: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("RAG_VECTORIZER", "self-provided")
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "text-embedding-3-small")

    result = run("ingest", str(copy_corpus(rag_env)))

    assert result.exit_code == 0, result.output
    vector_config = weaviate_server.schema[COLLECTION]["vectorConfig"]["default"]
    assert list(vector_config["vectorizer"]) == ["none"]
    stored = list(weaviate_server.objects[COLLECTION].values())
    assert stored and all(obj.vector for obj in stored)
    requests = openai_server.embedding_requests()
    assert requests and all(r.body["model"] == "text-embedding-3-small" for r in requests)
    embedded = sum(len(r.body["input"]) for r in requests)
    assert embedded == len(stored)


def test_reingest_skips_unchanged_files_and_replaces_a_changed_files_chunks(
    rag_env: Path, weaviate_server: FakeWeaviate, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("RAG_CHUNK_SIZE", "200")
    monkeypatch.setenv("RAG_CHUNK_OVERLAP", "20")
    corpus = copy_corpus(rag_env)
    assert run("ingest", str(corpus)).exit_code == 0
    before = chunk_counts(weaviate_server)
    ids_before = set(weaviate_server.objects[COLLECTION])

    (corpus / "vaccination.md").write_text("# Adult immunization\n\nInfluenza: every year.\n")
    result = run("ingest", str(corpus))

    assert result.exit_code == 0, result.output
    assert "1 indexed, 3 unchanged" in result.output
    after = chunk_counts(weaviate_server)
    assert after["corpus/vaccination.md"] == 1
    assert {k: v for k, v in after.items() if "vaccination" not in k} == {
        k: v for k, v in before.items() if "vaccination" not in k
    }
    stale = before["corpus/vaccination.md"] - 1
    assert f"{stale} stale chunk(s) deleted" in result.output
    assert set(weaviate_server.objects[COLLECTION]) <= ids_before, "ids are deterministic"
    remaining = [
        o.properties["text"]
        for o in weaviate_server.objects[COLLECTION].values()
        if o.properties["source"] == "corpus/vaccination.md"
    ]
    assert remaining == ["Influenza: every year."]


def test_force_reimports_unchanged_files(rag_env: Path, weaviate_server: FakeWeaviate):
    corpus = copy_corpus(rag_env)
    assert run("ingest", str(corpus)).exit_code == 0
    result = run("ingest", "--force", str(corpus / "diabetes.md"))
    assert "1 indexed, 0 unchanged" in result.output


def test_failed_objects_are_reported_not_swallowed(
    rag_env: Path, weaviate_server: FakeWeaviate
):
    def reject(properties: dict) -> str | None:
        if properties["source"].endswith("diabetes.md") and properties["chunk_index"] == 0:
            return "vectorizer: quota exceeded"
        return None

    weaviate_server.reject = reject
    result = run("ingest", str(copy_corpus(rag_env)))

    assert result.exit_code == 1
    assert "corpus/diabetes.md chunk 0: vectorizer: quota exceeded" in result.output
    assert "1 chunk(s) were not imported" in result.output


def test_ask_prints_the_answer_then_its_sources(
    rag_env: Path,
    weaviate_server: FakeWeaviate,
    openai_server: FakeOpenAI,
    vectorizer: str,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("RAG_CHAT_MODEL", "gpt-test-chat")
    assert run("ingest", str(copy_corpus(rag_env))).exit_code == 0

    result = run("ask", QUESTION, "--top-k", "3", "--mode", "hybrid")

    assert result.exit_code == 0, result.output
    answer, sources = result.output.split("\nSources:\n")
    assert "2,000 mg" in answer
    lines = sources.rstrip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("  [1] corpus/hypertension.md (")
    chat = openai_server.chat_requests()[-1]
    assert chat.body["model"] == "gpt-test-chat"
    assert chat.headers["Authorization"] == f"Bearer {TEST_KEY}"
    prompt = chat.body["messages"][-1]["content"]
    assert QUESTION in prompt and "[1] corpus/hypertension.md" in prompt
    search = weaviate_server.searches[-1]
    assert search.HasField("hybrid_search") and search.limit == 3
    if vectorizer == "self-provided":
        assert search.hybrid_search.vector_bytes or search.hybrid_search.HasField("near_vector")
    assert TEST_KEY not in result.output


def test_near_text_mode_uses_the_right_vector_search(
    rag_env: Path, weaviate_server: FakeWeaviate, vectorizer: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("RAG_SEARCH_MODE", "near-text")
    assert run("ingest", str(copy_corpus(rag_env))).exit_code == 0

    result = run("ask", "How often should adults get the influenza vaccine?")

    assert result.exit_code == 0, result.output
    assert "[1] corpus/vaccination.md" in result.output
    search = weaviate_server.searches[-1]
    expected = "near_text" if vectorizer == "text2vec-openai" else "near_vector"
    assert search.HasField(expected)


def test_ask_before_ingest_says_what_to_do(rag_env: Path):
    result = run("ask", QUESTION)
    assert result.exit_code == 1
    assert f"collection '{COLLECTION}' does not exist" in result.output
    assert "run `ingest` first" in result.output


def test_an_unreachable_weaviate_is_one_line_without_secrets(
    rag_env: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("WEAVIATE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("WEAVIATE_API_KEY", "wv-secret-key")
    result = run("ask", QUESTION)
    assert result.exit_code == 1
    assert "cannot connect to http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert "wv-secret-key" not in result.output and TEST_KEY not in result.output


def test_a_rejected_openai_key_is_reported_without_the_key(
    rag_env: Path, monkeypatch: pytest.MonkeyPatch
):
    assert run("ingest", str(copy_corpus(rag_env))).exit_code == 0
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-but-secret")
    result = run("ask", QUESTION)
    assert result.exit_code == 1
    assert "HTTP 401" in result.output
    assert "sk-wrong-but-secret" not in result.output


def test_ingest_from_a_subfolder_uses_the_projects_dotenv(
    rag_env: Path, weaviate_server: FakeWeaviate, monkeypatch: pytest.MonkeyPatch
):
    corpus = copy_corpus(rag_env)
    (rag_env / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    settings = {name: os.environ.pop(name) for name in
                ("WEAVIATE_URL", "WEAVIATE_GRPC_PORT", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    for name in settings:
        monkeypatch.delenv(name, raising=False)
    (rag_env / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    (rag_env / "notes").mkdir()
    monkeypatch.chdir(rag_env / "notes")

    result = run("ingest", str(corpus))

    assert result.exit_code == 0, result.output
    assert f"settings from {rag_env.resolve() / '.env'}" in result.output
    assert weaviate_server.objects[COLLECTION], "the server in .env, not embedded Weaviate"
    assert not (rag_env / "notes" / ".weaviate").exists()


def test_embedded_weaviate_offline_is_one_line_saying_what_to_do(clean_env: Path):
    """Its first start downloads the Weaviate binary: with no network, say so at once."""
    project = Path(__file__).resolve().parents[2]
    blocked = "http://127.0.0.1:9"  # a closed port: every download fails at once
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(PYTHONPATH=str(project / "src"), XDG_CACHE_HOME=str(clean_env / "cache"),
               HTTPS_PROXY=blocked, HTTP_PROXY=blocked, https_proxy=blocked,
               http_proxy=blocked)
    (clean_env / "note.md").write_text("# Note\n\nSome text.\n")
    result = subprocess.run(
        [sys.executable, "-m", "{{ package }}", "ingest", "note.md"],
        cwd=clean_env, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: embedded Weaviate could not start")
    assert "downloads the Weaviate binary once" in error and "WEAVIATE_URL" in error
