"""``advisor doctor`` as teams run it: the deployment boundary, a generated project's own
settings, and the hf-lora checks (without torch, GPU or network on the test machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import doctor_env
import pytest
from click.testing import CliRunner, Result
from doctor_fakes import KEY
from pytest_httpserver import HTTPServer

from advisor.cli import cli

clean_env = doctor_env.clean_env
local_http = doctor_env.local_http


def doctor(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["doctor", *map(str, args)])


def findings(result: Result) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(result.stdout)["checks"]}


@pytest.fixture
def quiet(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment, no GPU tools on PATH, an empty HF cache, the Hub offline."""
    for name in (
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_ENDPOINT",
        "HF_TOKEN",
        "HF_LORA_SERVER_URL",
        "FINETUNE_BASE_MODEL",
        "HF_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    bin_dir = clean_env / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("HF_HUB_CACHE", str(clean_env / "hf-cache"))
    return clean_env


# --- the deployment boundary -----------------------------------------------------------------


def test_self_hosted_from_the_environment_fails_a_provider_endpoint(quiet, monkeypatch):
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "self-hosted")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    result = doctor("--backend", "hf-lora", "--format", "json")
    assert result.exit_code == 1
    check = findings(result)["deployment.endpoints"]
    assert check["status"] == "fail"
    assert "self-hosted (ADVISOR_DEPLOYMENT)" in check["summary"]
    assert (
        "OPENAI_BASE_URL -> api.openai.com (OpenAI's API; set by env OPENAI_BASE_URL)"
        in (check["summary"])
    )


def test_self_hosted_from_advisor_toml_and_local_endpoints_pass(quiet, monkeypatch):
    (quiet / "advisor.toml").write_text('deployment = "self-hosted"\n')
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    text = doctor("--backend", "hf-lora")
    assert "FAIL  deployment.endpoints" in text.stdout
    assert f"deployment is self-hosted ({quiet / 'advisor.toml'})" in text.stdout
    assert "OPENAI_BASE_URL -> api.openai.com" in text.stdout

    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    monkeypatch.setenv("WEAVIATE_URL", "http://10.0.3.7:8080")
    check = findings(doctor("--backend", "hf-lora", "--format", "json"))["deployment.endpoints"]
    assert check["status"] == "ok"
    assert (
        "OPENAI_BASE_URL -> localhost (local), WEAVIATE_URL -> 10.0.3.7 (local)"
        in (check["summary"])
    )


def test_the_default_base_url_counts_when_nothing_points_elsewhere(quiet, monkeypatch):
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "self-hosted")
    check = findings(doctor("--backend", "hf-lora", "--format", "json"))["deployment.endpoints"]
    assert check["status"] == "fail"
    assert (
        "OPENAI_BASE_URL -> api.openai.com (OpenAI's API; set by its default)" in (check["summary"])
    )


@pytest.mark.parametrize(
    ("variable", "url", "provider"),
    [
        ("WEAVIATE_URL", "https://abc123.c0.europe-west3.gcp.weaviate.cloud", "Weaviate Cloud"),
        ("HF_LORA_SERVER_URL", "https://api.together.xyz/v1", "Together AI"),
        ("OPENAI_BASE_URL", "https://my-team.openai.azure.com/openai", "Azure OpenAI"),
    ],
)
def test_other_hosted_endpoints_are_named(quiet, monkeypatch, variable, url, provider):
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "self-hosted")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://vllm.internal:8000/v1")
    monkeypatch.setenv(variable, url)
    check = findings(doctor("--backend", "hf-lora", "--format", "json"))["deployment.endpoints"]
    assert check["status"] == "fail"
    assert f"{variable} -> {url.split('/')[2]} ({provider};" in check["summary"]


def test_api_deployment_adds_no_boundary_check(quiet, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    names = findings(doctor("--backend", "hf-lora", "--format", "json"))
    assert not any(name.startswith("deployment.") for name in names)


def test_an_unknown_deployment_is_one_line(quiet, monkeypatch):
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "on-prem")
    result = doctor()
    assert result.exit_code == 2
    assert "environment variable ADVISOR_DEPLOYMENT: deployment = 'on-prem'" in result.output


def test_air_gapped_fails_what_would_download(quiet, monkeypatch):
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "air-gapped")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    found = findings(doctor("--backend", "hf-lora", "--format", "json"))
    offline = found["deployment.offline"]
    assert offline["status"] == "fail"
    assert "HF_HUB_OFFLINE is not 1" in offline["summary"]
    assert (
        "WEAVIATE_URL is not set (embedded Weaviate downloads its binary)" in (offline["summary"])
    )
    # The base model is not cached, and air-gapped forbids asking the Hub for it.
    assert found["hf-lora.base-model"]["status"] == "fail"
    assert "deployment is air-gapped" in found["hf-lora.base-model"]["summary"]

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("WEAVIATE_URL", "http://localhost:8080")
    found = findings(doctor("--backend", "hf-lora", "--format", "json"))
    assert found["deployment.offline"]["status"] == "ok"


# --- a generated project's own settings -------------------------------------------------------


def make_project(root: Path, deployment: str | None, env: str) -> Path:
    root.mkdir(parents=True)
    answers = {"volatility": "weekly"} | ({"deployment": deployment} if deployment else {})
    (root / ".advisor.yml").write_text(json.dumps({"answers": answers}))
    (root / ".env").write_text(env)
    (root / "src").mkdir()
    return root


def test_doctor_inside_a_project_reads_its_env_and_recorded_deployment(quiet, monkeypatch):
    project = make_project(
        quiet / "bot",
        "self-hosted",
        "# local settings\nexport OPENAI_API_KEY='" + KEY + "'\n"
        "OPENAI_BASE_URL=http://localhost:8000/v1  # vLLM\n"
        "WEAVIATE_URL=https://abc.weaviate.network\nRAG_TOP_K=4\n",
    )
    monkeypatch.chdir(project / "src")  # a subfolder of the project
    result = doctor("--backend", "hf-lora", "--format", "json")
    data = json.loads(result.stdout)
    assert data["settings_files"] == [
        "environment variables",
        str(project / ".env"),
        str(project / ".advisor.yml"),
    ]
    check = findings(result)["deployment.endpoints"]
    assert check["status"] == "fail"
    assert f"self-hosted ({project / '.advisor.yml'})" in check["summary"]
    assert (
        f"WEAVIATE_URL -> abc.weaviate.network (Weaviate Cloud; set by {project / '.env'})"
        in (check["summary"])
    )
    assert "OPENAI_BASE_URL" not in check["summary"]  # the local one passes
    text = doctor("--backend", "openai-finetune")
    assert f"Settings from: environment variables, {project / '.env'}" in text.stdout
    assert KEY not in text.output
    # The environment still wins over the project's .env.
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "api")
    assert "deployment.endpoints" not in findings(
        doctor("--backend", "hf-lora", "--format", "json")
    )


def test_project_option_from_elsewhere(quiet, monkeypatch):
    project = make_project(quiet / "bot", None, "OPENAI_API_KEY=" + KEY + "\n")
    elsewhere = quiet / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert "openai.key" in findings(doctor("--backend", "openai-finetune", "--format", "json"))
    key = findings(
        doctor("--project", project, "--backend", "openai-finetune", "--format", "json")
    )["openai.key"]
    assert key["status"] == "ok"
    assert key["summary"] == f"OpenAI API key is set (file {project / '.env'})"
    missing = doctor("--project", quiet / "nothing-here")
    assert missing.exit_code == 2
    assert "--project" in missing.output and "not a folder" in missing.output


# --- a missing client gets an install line, not "report this to the authors" ------------------


def test_a_missing_module_says_what_to_install(quiet, monkeypatch):
    from advisor import plugins as plugin_manager
    from advisor.api import Check, hookimpl

    def needs_weaviate(settings):
        raise ModuleNotFoundError("No module named 'weaviate'", name="weaviate")

    class Plugin:
        @hookimpl
        def register_doctor_checks(self, register):
            register(Check("x.client", needs_weaviate, "x"))

    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    plugin_manager.reset()
    plugin_manager.get_plugins().add(Plugin(), "x")
    try:
        check = findings(doctor("--format", "json"))["x.client"]
    finally:
        plugin_manager.reset()
    assert check["summary"] == (
        "the check needs the Python package 'weaviate', which is not installed"
    )
    assert check["fix"].startswith("pip install weaviate-client")
    assert "report this" not in check["fix"]


# --- hf-lora ---------------------------------------------------------------------------------


def fake_nvidia_smi(bin_dir: Path, output: str) -> None:
    script = bin_dir / "nvidia-smi"
    script.write_text(f"#!/bin/sh\nprintf '{output}'\n")
    script.chmod(0o755)


def hf_lora(*args: str) -> dict[str, dict[str, Any]]:
    return findings(doctor("--backend", "hf-lora", "--format", "json", *args))


def test_hf_lora_has_checks_and_torch_missing_is_actionable(quiet, monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    result = doctor("--backend", "hf-lora", "--format", "json")
    assert result.exit_code == 1  # not 2: the backend has checks
    found = findings(result)
    assert list(found) == ["hf-lora.torch", "hf-lora.gpu", "hf-lora.base-model", "hf-lora.vllm"]
    assert found["hf-lora.torch"]["status"] == "fail"
    assert found["hf-lora.torch"]["fix"].startswith("pip install torch")


@pytest.mark.parametrize(
    ("version_py", "build"),
    [
        ("__version__ = '2.6.0+cu124'\ncuda: Optional[str] = '12.4'\nhip = None\n", "CUDA 12.4"),
        ("__version__ = '2.6.0'\ncuda = None\nhip: Optional[str] = '6.2.4'\n", "ROCm 6.2.4"),
        ("__version__ = '2.6.0+cpu'\ncuda = None\nhip = None\n", "CPU-only"),
    ],
)
def test_the_torch_build_is_read_without_importing_torch(quiet, monkeypatch, version_py, build):
    fake = quiet / "site" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise RuntimeError('the doctor must not import torch')\n")
    (fake / "version.py").write_text(version_py)
    monkeypatch.syspath_prepend(str(quiet / "site"))
    check = hf_lora()["hf-lora.torch"]
    assert check["status"] == "ok"
    assert check["summary"].endswith(f"({build} build)")


def test_gpu_memory_is_checked_against_model_and_method(quiet, monkeypatch):
    assert hf_lora()["hf-lora.gpu"]["status"] == "warn"  # no nvidia-smi
    fake_nvidia_smi(quiet / "bin", "Tesla T4, 15360\\n")
    check = hf_lora()["hf-lora.gpu"]
    assert check["status"] == "ok"
    assert check["summary"] == (
        "Tesla T4 (15 GB): enough for lora training of Qwen/Qwen2.5-0.5B-Instruct (~6 GB)"
    )
    (quiet / "advisor.toml").write_text(
        '[plugins.hf-lora]\nbase_model = "meta-llama/Llama-3.2-3B-Instruct"\n'
    )
    check = hf_lora()["hf-lora.gpu"]
    assert check["status"] == "fail"
    assert "less than the ~16 GB lora training" in check["summary"]
    assert "QLoRA needs ~8 GB" in check["summary"]
    (quiet / "advisor.toml").write_text(
        '[plugins.hf-lora]\nbase_model = "meta-llama/Llama-3.2-3B-Instruct"\nmethod = "qlora"\n'
    )
    assert hf_lora()["hf-lora.gpu"]["status"] == "ok"
    fake_nvidia_smi(quiet / "bin", "NVIDIA L4, 23034\\nNVIDIA H200, 143771\\n")
    assert hf_lora()["hf-lora.gpu"]["summary"].startswith("NVIDIA H200 (140 GB)")


def test_base_model_cached_offline_or_asked_of_the_hub(quiet, monkeypatch, local_http: HTTPServer):
    model = "Qwen/Qwen2.5-0.5B-Instruct"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    check = hf_lora()["hf-lora.base-model"]
    assert check["status"] == "fail"
    assert "HF_HUB_OFFLINE is set" in check["summary"]

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", local_http.url_for("").rstrip("/"))
    local_http.expect_request(f"/api/models/{model}").respond_with_json({"id": model})
    check = hf_lora()["hf-lora.base-model"]
    assert check["status"] == "warn"
    assert "the first run downloads it from" in check["summary"]
    assert "(~1 GB)" in check["summary"]

    local_http.clear()
    local_http.expect_request(f"/api/models/{model}").respond_with_data("", status=404)
    assert hf_lora()["hf-lora.base-model"]["status"] == "fail"

    snapshot = quiet / "hf-cache" / "models--Qwen--Qwen2.5-0.5B-Instruct" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    check = hf_lora()["hf-lora.base-model"]
    assert check["status"] == "ok"
    assert "is in the Hugging Face cache" in check["summary"]


def test_vllm_or_a_server_for_serving(quiet, monkeypatch):
    assert hf_lora()["hf-lora.vllm"]["status"] == "warn"
    monkeypatch.setenv("HF_LORA_SERVER_URL", "http://localhost:8000/v1")
    check = hf_lora()["hf-lora.vllm"]
    assert check["status"] == "ok"
    assert "HF_LORA_SERVER_URL (http://localhost:8000/v1)" in check["summary"]


def test_hf_lora_doctor_does_not_import_torch(quiet):
    code = (
        "import sys\nfrom advisor.cli import main\n"
        "sys.argv = ['advisor', 'doctor', '--backend', 'hf-lora']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('torch', 'transformers', 'vllm') if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert "LOADED []" in result.stderr, result.stderr
    assert "hf-lora.torch" in result.stdout
