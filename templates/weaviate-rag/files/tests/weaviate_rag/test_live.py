"""Live test against a real Weaviate: runs only when WEAVIATE_URL is set.

It ingests the sample corpus into a throwaway collection with self-provided vectors (from
the local OpenAI fake, so no OpenAI key or cost is needed), re-ingests a changed file,
searches, and drops the collection. Set WEAVIATE_API_KEY (and WEAVIATE_GRPC_PORT /
WEAVIATE_GRPC_HOST) as the server needs.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from {{ package }}.rag.pipeline import Answerer, ingest
from {{ package }}.rag.settings import load_settings
from {{ package }}.rag.store import connect

from .conftest import CORPUS, TEST_KEY
from .fake_openai import FakeOpenAI

LIVE_URL = os.environ.get("WEAVIATE_URL", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not LIVE_URL, reason="WEAVIATE_URL is not set: no real Weaviate to test against"
    ),
]


def test_ingest_reingest_and_search_on_a_real_weaviate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: FakeOpenAI
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    collection = f"AdvisorLiveTest_{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        weaviate_url=LIVE_URL,
        collection=collection,
        vectorizer="self-provided",
        search_mode="hybrid",
        top_k=3,
    )
    shutil.copytree(CORPUS, tmp_path / "corpus")
    try:
        first = ingest([Path("corpus")], settings)
        assert first.failed_count == 0 and first.chunks > 0
        (tmp_path / "corpus" / "vaccination.md").write_text("# Vaccines\n\nFlu: every year.\n")
        second = ingest([Path("corpus")], settings)
        assert second.unchanged == 3 and second.deleted > 0
        with Answerer(settings) as answerer:
            hits = answerer.retrieve("What daily sodium intake is recommended?")
        assert hits and hits[0].file_name.startswith("hypertension")
    finally:
        with connect(settings) as client:
            client.collections.delete(collection)
