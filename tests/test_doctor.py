"""``advisor doctor``: the runner, its output, and each check against local servers.

The OpenAI and Weaviate checks drive the real clients against servers on 127.0.0.1
(tests/doctor_fakes.py) for the ok, fail and timeout paths.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import doctor_env
import pytest
from click.testing import CliRunner, Result
from doctor_fakes import (
    KEY,
    WEAVIATE_KEY,
    FakeOpenAI,
    FakeWeaviate,
    dead_port,
    grpc_health_server,
    silent_port,
)
from pytest_httpserver import HTTPServer

from advisor import plugins as plugin_manager
from advisor.api import Check, CheckResult, hookimpl
from advisor.cli import cli
from advisor.doctor import Report, redact, run_checks
from advisor.settings import load_settings

openai_checks, weaviate_checks = doctor_env.check_modules()
clean_env = doctor_env.clean_env
doctor_checks = doctor_env.doctor_checks
local_http = doctor_env.local_http


def doctor(*args: str) -> Result:
    return CliRunner().invoke(cli, ["doctor", *args])


def statuses(result: Result) -> dict[str, str]:
    data = json.loads(result.output)
    return {c["name"]: c["status"] for c in data["checks"]}


def findings(result: Result) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(result.output)["checks"]}


# --- the runner --------------------------------------------------------------------------------


class StubPlugin:
    """Checks with fixed behaviour, to test the runner apart from any service."""

    def __init__(self, *checks: Check) -> None:
        self.checks = checks

    @hookimpl
    def register_doctor_checks(self, register):  # type: ignore[no-untyped-def]
        for check in self.checks:
            register(check)


@pytest.fixture
def stub(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    plugin_manager.reset()

    def add(*checks: Check) -> None:
        plugin_manager.get_plugins().add(StubPlugin(*checks), "stub")

    yield add
    plugin_manager.reset()


def boom(settings: Any) -> CheckResult:
    raise RuntimeError("exploded\nsecond line")


def test_no_checks_at_all_says_so_and_exits_1(stub: Any) -> None:
    result = doctor()
    assert result.exit_code == 1
    assert "No checks to run" in result.output


def test_a_raising_check_is_a_fail_and_the_rest_still_run(stub: Any) -> None:
    stub(Check("a.boom", boom, "a"), Check("a.fine", lambda s: CheckResult("ok", "fine"), "a"))
    result = doctor("--format", "json")
    assert result.exit_code == 1
    found = findings(result)
    assert found["a.boom"]["status"] == "fail"
    assert "RuntimeError: exploded" in found["a.boom"]["summary"]
    assert "second line" not in found["a.boom"]["summary"]
    assert found["a.fine"]["status"] == "ok"


def test_a_check_returning_garbage_is_a_fail(stub: Any) -> None:
    stub(Check("a.bad", lambda s: "ok", "a"))
    assert statuses(doctor("--format", "json")) == {"a.bad": "fail"}


def test_warn_and_skipped_exit_0_and_text_lists_fixes_of_fails_only(stub: Any) -> None:
    stub(Check("a.warn", lambda s: CheckResult("warn", "hmm", "look at it"), "a"),
         Check("a.skip", lambda s: CheckResult("skipped", "not used"), "a"))
    result = doctor()
    assert result.exit_code == 0
    assert "WARN  a.warn  hmm" in result.output
    assert "fix: look at it" in result.output
    assert "To fix:" not in result.output
    assert "0 ok, 1 warn, 0 fail, 1 skipped" in result.output


def test_backend_option_selects_and_rejects_unknown(stub: Any) -> None:
    stub(Check("a.one", lambda s: CheckResult("ok", "a"), "a"),
         Check("b.one", lambda s: CheckResult("fail", "b", "fix b"), "b"))
    assert statuses(doctor("--backend", "a", "--format", "json")) == {"a.one": "ok"}
    unknown = doctor("--backend", "nope")
    assert unknown.exit_code == 2
    assert "--backend 'nope'" in unknown.output and "allowed: a, b" in unknown.output


def test_secrets_a_check_prints_are_redacted(stub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    stub(Check("a.leak", lambda s: CheckResult(
        "fail", f"key {s.openai_api_key.get_secret_value()}", f"not {KEY}"), "a"))
    for fmt in ("text", "json"):
        result = doctor("--format", fmt)
        assert KEY not in result.output
        assert "****" in result.output


def test_redact_replaces_longest_secret_first() -> None:
    assert redact("abcdef and abc", ["abc", "abcdef"]) == "**** and ****"


def test_empty_report_is_not_a_pass() -> None:
    assert Report(()).exit_code == 1


# --- nothing configured ------------------------------------------------------------------------


def test_nothing_configured_lists_what_to_set(doctor_checks: None, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__EMBEDDED_BINARY_PATH", str(tmp_path))
    result = doctor()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "FAIL  openai.key" in result.output
    assert "To fix:\n  - set OPENAI_API_KEY" in result.output
    assert "WARN  weaviate.embedded" in result.output
    as_json = statuses(doctor("--format", "json"))
    assert as_json["openai.api"] == as_json["weaviate.server"] == "skipped"


# --- OpenAI ------------------------------------------------------------------------------------


@pytest.fixture
def fake_openai(doctor_checks: None, local_http: HTTPServer,
                monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    fake = FakeOpenAI(local_http)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    return fake


def openai_only() -> Result:
    return doctor("--backend", "openai-finetune", "--format", "json")


def test_openai_all_good(fake_openai: FakeOpenAI) -> None:
    result = openai_only()
    found = findings(result)
    assert {n: f["status"] for n, f in found.items()} == {
        "openai.key": "ok", "openai.api": "ok", "openai.base-model": "warn",
        "openai.fine-tuning": "warn", "openai.embeddings": "ok",
    }
    assert result.exit_code == 0
    base = found["openai.base-model"]
    assert "gpt-4.1-mini-2025-04-14 shuts down on 2027-01-14" in base["summary"]
    assert "developers.openai.com/api/docs/deprecations" in base["summary"]
    assert "before 2027-01-14" in base["fix"] and "hf-lora" in base["fix"]
    assert "(2 models)" in found["openai.api"]["summary"]
    assert "(3 dimensions)" in found["openai.embeddings"]["summary"]
    assert "2027-01-06" in found["openai.fine-tuning"]["summary"]
    assert fake_openai.requests.count("GET /v1/models") == 1  # shared, not per check


def test_openai_a_base_model_past_its_shutdown_fails(fake_openai: FakeOpenAI,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_TODAY", "2027-01-14")
    found = findings(openai_only())
    assert found["openai.base-model"]["status"] == "fail"
    assert "was shut down on 2027-01-14" in found["openai.base-model"]["summary"]


def test_openai_a_base_model_without_a_known_shutdown_says_unknown(
        fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_openai.models.append("gpt-3.5-turbo-0125")
    monkeypatch.setenv("ADVISOR_PLUGINS__OPENAI_FINETUNE__BASE_MODEL", "gpt-3.5-turbo-0125")
    found = findings(openai_only())
    assert found["openai.base-model"]["status"] == "ok"
    assert "no shutdown date is recorded" in found["openai.base-model"]["summary"]


def test_openai_wrong_key_fails_without_echoing_it(fake_openai: FakeOpenAI,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    fake_openai.key = "sk-the-server-wants-another-key-0000"
    caplog.set_level(logging.DEBUG)
    text = doctor("--backend", "openai-finetune")
    result = openai_only()
    found = findings(result)
    assert result.exit_code == 1
    assert found["openai.api"]["status"] == "fail"
    assert "rejected the API key (HTTP 401)" in found["openai.api"]["summary"]
    assert found["openai.embeddings"]["status"] == "skipped"
    for output in (text.output, result.output, caplog.text):
        assert KEY not in output
    assert text.exception is None or isinstance(text.exception, SystemExit)


def test_openai_unknown_models_fail_naming_them(fake_openai: FakeOpenAI,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS__OPENAI_FINETUNE__BASE_MODEL", "gpt-nope")
    monkeypatch.setenv("ADVISOR_PLUGINS__OPENAI_FINETUNE__EMBEDDING_MODEL", "embed-nope")
    found = findings(openai_only())
    assert found["openai.base-model"]["status"] == "fail"
    assert f"{fake_openai.base_url}/models/gpt-nope does not exist" in (
        found["openai.base-model"]["summary"])
    assert "base_model" in found["openai.base-model"]["fix"]
    assert found["openai.embeddings"]["status"] == "fail"
    assert "embedding_model" in found["openai.embeddings"]["fix"]


def test_openai_fine_tuning_refused_is_explained_by_the_wind_down(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.fine_tuning_forbidden = True
    result = openai_only()
    finding = findings(result)["openai.fine-tuning"]
    assert result.exit_code == 1
    assert finding["status"] == "fail"
    assert "HTTP 403" in finding["summary"]
    assert "2026-05-07" in finding["summary"] and "2027-01-06" in finding["summary"]
    assert "hf-lora" in finding["fix"]


def test_openai_fine_tuning_with_no_jobs_warns_about_new_organizations(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.jobs = 0
    finding = findings(openai_only())["openai.fine-tuning"]
    assert finding["status"] == "warn"
    assert "no fine-tuning job on record" in finding["summary"]


def test_openai_fine_tuning_fails_once_closed_for_everyone(fake_openai: FakeOpenAI) -> None:
    settings = load_settings()
    result = openai_checks.check_fine_tuning(settings, today=dt.date(2027, 2, 1))
    assert result.status == "fail"
    assert "since 2027-01-06" in result.summary
    assert "hf-lora" in result.fix


def test_openai_dead_endpoint_fails_naming_it(doctor_checks: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    base = f"http://127.0.0.1:{dead_port()}/v1"
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", base)
    found = findings(openai_only())
    assert found["openai.api"]["status"] == "fail"
    assert found["openai.api"]["summary"] == f"cannot connect to {base}/models"
    assert found["openai.base-model"]["status"] == "skipped"


def test_openai_silent_endpoint_times_out(doctor_checks: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_TIMEOUT_S", "0.2")
    with silent_port() as port:
        base = f"http://127.0.0.1:{port}/v1"
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", base)
        result = openai_only()
    found = findings(result)
    assert found["openai.api"]["summary"] == f"no answer from {base}/models within 0.2s"
    assert [f["status"] for f in found.values()].count("skipped") == 3


# --- Weaviate ----------------------------------------------------------------------------------


@pytest.fixture
def grpc_port() -> Iterator[int]:
    with grpc_health_server() as port:
        yield port


@pytest.fixture
def fake_weaviate(doctor_checks: None, local_http: HTTPServer, grpc_port: int,
                  monkeypatch: pytest.MonkeyPatch) -> FakeWeaviate:
    fake = FakeWeaviate(local_http, grpc_port)
    monkeypatch.setenv("WEAVIATE_URL", fake.url)
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT", str(grpc_port))
    return fake


def weaviate_only() -> Result:
    return doctor("--backend", "weaviate-rag", "--format", "json")


def test_weaviate_all_good(fake_weaviate: FakeWeaviate) -> None:
    result = weaviate_only()
    found = findings(result)
    assert {n: f["status"] for n, f in found.items()} == {
        "weaviate.server": "ok", "weaviate.version": "ok", "weaviate.modules": "ok",
        "weaviate.auth": "ok", "weaviate.embedded": "skipped",
    }
    assert result.exit_code == 0
    assert f"gRPC answers at 127.0.0.1:{fake_weaviate.grpc_port}" in (
        found["weaviate.server"]["summary"])
    assert "Weaviate 1.30.5 is supported" in found["weaviate.version"]["summary"]
    assert "anonymous access" in found["weaviate.auth"]["summary"]
    assert "GET /v1/schema" in fake_weaviate.requests
    assert fake_weaviate.requests.count("GET /v1/meta") == 2  # connect, then get_meta


def test_weaviate_api_key_accepted(fake_weaviate: FakeWeaviate,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake_weaviate.key = WEAVIATE_KEY
    monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_KEY)
    result = weaviate_only()
    assert findings(result)["weaviate.auth"]["summary"].endswith("accepts the API key")
    assert WEAVIATE_KEY not in result.output


@pytest.mark.parametrize("sent", [None, "wv-wrong-key-000000000000"])
def test_weaviate_refused_credentials_fail_auth(fake_weaviate: FakeWeaviate,
                                                monkeypatch: pytest.MonkeyPatch,
                                                sent: str | None) -> None:
    fake_weaviate.key = WEAVIATE_KEY
    if sent:
        monkeypatch.setenv("WEAVIATE_API_KEY", sent)
    result = weaviate_only()
    found = findings(result)
    assert result.exit_code == 1
    assert found["weaviate.auth"]["status"] == "fail"
    said = "rejected the API key" if sent else "requires an API key"
    assert f"{fake_weaviate.url} {said} (HTTP 401)" == found["weaviate.auth"]["summary"]
    assert found["weaviate.server"]["status"] == "ok"
    assert found["weaviate.modules"]["status"] == "skipped"
    if sent:
        assert sent not in result.output


def test_weaviate_missing_module_fails_naming_it(fake_weaviate: FakeWeaviate) -> None:
    fake_weaviate.modules = ("text2vec-openai",)
    finding = findings(weaviate_only())["weaviate.modules"]
    assert finding["status"] == "fail"
    assert finding["summary"].endswith("not enabled: generative-openai")
    assert "ENABLE_MODULES" in finding["fix"]


def test_weaviate_needs_no_provider_module_when_self_hosted(
    fake_weaviate: FakeWeaviate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The self-hosted starter sends its own vectors: a Weaviate without modules is right.
    fake_weaviate.modules = ()
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "self-hosted")
    finding = findings(weaviate_only())["weaviate.modules"]
    assert finding["status"] == "ok", finding
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "api")
    assert findings(weaviate_only())["weaviate.modules"]["status"] == "fail"


def test_weaviate_old_server_version_fails(fake_weaviate: FakeWeaviate) -> None:
    fake_weaviate.version = "1.20.0"
    found = findings(weaviate_only())
    assert found["weaviate.version"]["status"] == "fail"
    assert "1.20.0" in found["weaviate.version"]["summary"]
    assert found["weaviate.auth"]["status"] == "skipped"


def test_weaviate_not_ready_fails(fake_weaviate: FakeWeaviate) -> None:
    fake_weaviate.ready = False
    finding = findings(weaviate_only())["weaviate.server"]
    assert finding["status"] == "fail"
    assert "not ready" in finding["summary"]


def test_weaviate_grpc_not_serving_fails_naming_the_address(
    doctor_checks: None, local_http: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with grpc_health_server(serving=False) as port:
        fake = FakeWeaviate(local_http, port)
        monkeypatch.setenv("WEAVIATE_URL", fake.url)
        monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT", str(port))
        result = weaviate_only()
    finding = findings(result)["weaviate.server"]
    assert finding["status"] == "fail"
    assert f"gRPC health check at 127.0.0.1:{port} failed" in finding["summary"]
    assert "grpc_port" in finding["fix"]
    assert result.output.lstrip().startswith("{")  # the client's own prints stay out


def test_weaviate_grpc_port_closed_fails(doctor_checks: None, local_http: HTTPServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    port = dead_port()
    fake = FakeWeaviate(local_http, port)
    monkeypatch.setenv("WEAVIATE_URL", fake.url)
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT", str(port))
    assert findings(weaviate_only())["weaviate.server"]["status"] == "fail"


def test_weaviate_dead_endpoint_fails_naming_it(doctor_checks: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{dead_port()}"
    monkeypatch.setenv("WEAVIATE_URL", url)
    found = findings(weaviate_only())
    assert found["weaviate.server"] == {
        "name": "weaviate.server", "backend": "weaviate-rag", "status": "fail",
        "summary": f"cannot connect to {url}",
        "fix": "start Weaviate (the starter's docker-compose.yml) or correct WEAVIATE_URL",
    }
    assert found["weaviate.auth"]["status"] == "skipped"


def test_weaviate_silent_endpoint_times_out(doctor_checks: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_TIMEOUT_S", "0.2")
    with silent_port() as port:
        url = f"http://127.0.0.1:{port}"
        monkeypatch.setenv("WEAVIATE_URL", url)
        result = weaviate_only()
    found = findings(result)
    assert found["weaviate.server"]["summary"] == f"no answer from {url} within 0.2s"
    assert result.exit_code == 1


def test_weaviate_url_that_is_not_http_fails(doctor_checks: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAVIATE_URL", "localhost:8080")
    finding = findings(weaviate_only())["weaviate.server"]
    assert finding["status"] == "fail"
    assert "is not an http:// or https:// URL" in finding["summary"]


def test_weaviate_cloud_url_uses_the_cloud_grpc_host(clean_env: Path) -> None:
    settings = load_settings(weaviate_url="https://abc123.c0.europe-west3.gcp.weaviate.cloud")
    endpoint = weaviate_checks.endpoint_for(settings)
    assert (endpoint.http_port, endpoint.http_secure) == (443, True)
    assert endpoint.grpc == "grpc-abc123.c0.europe-west3.gcp.weaviate.cloud:443"


# --- embedded Weaviate -------------------------------------------------------------------------


def client_binary_path(directory: Path, version: str) -> Path:
    """Where weaviate-client itself looks for the binary (no download: it must exist)."""
    from weaviate.embedded import EmbeddedOptions, EmbeddedV4

    options = EmbeddedOptions(binary_path=str(directory),
                              persistence_data_path=str(directory / "data"), version=version)
    embedded = EmbeddedV4(options)
    embedded.ensure_weaviate_binary_exists()
    return Path(embedded._weaviate_binary_path)


def test_embedded_binary_path_matches_the_client(tmp_path: Path) -> None:
    ours = weaviate_checks.embedded_binary(tmp_path, "1.30.5")
    ours.write_bytes(b"")  # present, so the client does not download
    assert client_binary_path(tmp_path, "1.30.5") == ours


def test_embedded_cached_or_to_be_downloaded(doctor_checks: None, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__EMBEDDED_BINARY_PATH", str(cache))
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__EMBEDDED_VERSION", "1.31.0")
    missing = findings(weaviate_only())["weaviate.embedded"]
    assert missing["status"] == "warn"
    assert "1.31.0 is not cached" in missing["summary"]
    cache.mkdir()
    weaviate_checks.embedded_binary(cache, "1.31.0").write_bytes(b"")
    cached = findings(weaviate_only())["weaviate.embedded"]
    assert cached["status"] == "ok"
    assert str(cache) in cached["summary"]


# --- the whole run ---------------------------------------------------------------------------


def test_full_run_never_shows_a_secret_anywhere(
    doctor_checks: None, local_http: HTTPServer, grpc_port: int,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai = FakeOpenAI(local_http, key="sk-some-other-key-that-will-not-match")
    weaviate = FakeWeaviate(local_http, grpc_port, key="wv-another-key-that-will-not-match")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai.base_url)
    monkeypatch.setenv("WEAVIATE_URL", weaviate.url)
    monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_KEY)
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT", str(grpc_port))
    caplog.set_level(logging.DEBUG)

    settings = load_settings()
    report = run_checks(
        [c for m in (openai_checks, weaviate_checks) for c in _registered(m)], settings
    )
    outputs = [doctor().output, doctor("--format", "json").output,
               CliRunner().invoke(cli, ["config", "show", "--format", "json"]).output,
               json.dumps(report.to_dict()), caplog.text, *capsys.readouterr()]

    assert report.exit_code == 1
    for output in outputs:
        assert KEY not in output
        assert WEAVIATE_KEY not in output


def _registered(module: Any) -> list[Check]:
    checks: list[Check] = []
    module.register_all(checks.append)
    return checks
