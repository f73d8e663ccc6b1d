"""The doctor against the real services, when they are configured; skipped otherwise.

``OPENAI_API_KEY`` (and optionally ``OPENAI_BASE_URL``) runs the OpenAI checks against
the real API; ``WEAVIATE_URL`` (and ``WEAVIATE_API_KEY``) runs the Weaviate checks
against that server. Nothing here is faked.
"""

from __future__ import annotations

import os

import doctor_env
import pytest

from advisor.settings import load_settings

openai_checks, weaviate_checks = doctor_env.check_modules()
pytestmark = pytest.mark.live


@pytest.mark.skipif(not os.environ.get("OPENAI_API_KEY"),
                    reason="OPENAI_API_KEY is not set: no real OpenAI API to check against")
def test_live_openai_api_answers() -> None:
    settings = load_settings()
    result = openai_checks.check_api(settings)
    assert result.status == "ok", result.summary
    key = settings.openai_api_key.get_secret_value()
    assert key not in result.summary


@pytest.mark.skipif(not os.environ.get("WEAVIATE_URL"),
                    reason="WEAVIATE_URL is not set: no real Weaviate server to check against")
def test_live_weaviate_server_is_ready() -> None:
    settings = load_settings()
    result = weaviate_checks.check_server(settings)
    assert result.status == "ok", result.summary
    assert weaviate_checks.check_version(settings).status == "ok"
