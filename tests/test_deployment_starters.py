"""Starters made for ``deployment: self-hosted`` or ``air-gapped`` (issue 23, docs/deployment.md).

The hybrid a hospital team gets (weaviate-rag + hf-lora): its ``.env.example`` and
``docker-compose.yml`` name only local services; its own deployment test and the suites of
the RAG side pass offline; and ``ingest``, ``ask`` and ``evaluate`` run against the
starter's OpenAI-protocol fakes (standing in for the two vLLM services) and its Weaviate
fake, reached through the endpoints ``.env.example`` names. Torch is needed for none of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from starter_runs import ruff_failures, run_in_starter

from advisor import plugins
from advisor.cli import cli

REPO = Path(__file__).resolve().parents[1]
HOSPITAL = REPO / "examples" / "answers" / "hospital-private.yaml"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
PROVIDER_HOSTS = ("api.openai.com", "openai.azure.com", "weaviate.cloud", "huggingface.co")

# Inside the scaffolded project: .env.example is read as a user's .env would be, with its
# local ports mapped onto the fakes (chat :8000, embeddings :8001, Weaviate :8080/50051).
LOCAL_RUN = """
import json, os, pathlib
from click.testing import CliRunner
from tests.weaviate_rag import fake_openai, fake_weaviate
from demo.cli import main

chat, embed, weaviate = fake_openai.start(), fake_openai.start(), fake_weaviate.start()
ports = {
    "localhost:8000": chat.base_url.split("//")[1].split("/")[0],
    "localhost:8001": embed.base_url.split("//")[1].split("/")[0],
    "localhost:8080": weaviate.url.split("//")[1].split("/")[0],
}
env = {}
for line in pathlib.Path(".env.example").read_text("utf-8").splitlines():
    if line.strip() and not line.startswith("#"):
        name, _, value = line.partition("=")
        for local, fake in ports.items():
            value = value.replace(local, fake)
        env[name] = value
env.update(
    OPENAI_API_KEY="sk-test-key", HF_LORA_SERVER_API_KEY="sk-test-key",
    WEAVIATE_GRPC_PORT=str(weaviate.grpc_port),
    HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",  # nothing leaves
    NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
)
os.environ.update({k: v for k, v in env.items() if v})
runner = CliRunner()
outputs = []
for args in (["ingest", "data/corpus"], ["ask", "What HbA1c target suits most adults?"],
             ["evaluate", "--scorer", "contains"]):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, (args, result.output)
    outputs.append(result.output)
print(json.dumps({
    "evaluate": outputs[2],
    "chat_models": sorted({r.body["model"] for r in chat.chat_requests()}),
    "chat_embeddings": len(chat.embedding_requests()),
    "embedding_models": sorted({r.body["model"] for r in embed.embedding_requests()}),
    "embed_chats": len(embed.chat_requests()),
    "weaviate_modules": [list(s.get("moduleConfig", {})) for s in weaviate.schema.values()],
}))
weaviate.stop()
chat.server.stop()
embed.server.stop()
"""


@pytest.fixture
def hybrid_backends(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "hf-lora,weaviate-rag")
    plugins.reset()
    if "hf-lora" not in plugins.get_plugins().backends():
        pytest.skip("the hf-lora backend is not in this checkout")
    yield
    plugins.reset()


def scaffold(target: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli,
        [
            "scaffold",
            str(target),
            "--no-input",
            "--answers",
            str(HOSPITAL),
            "--backend",
            "weaviate-rag",
            "--backend",
            "hf-lora",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def env_example(project: Path) -> dict[str, str]:
    pairs = {}
    for line in (project / ".env.example").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def urls_in(value: object) -> list[str]:
    """Every http(s) URL inside a parsed YAML value (strings, lists, mappings)."""
    if isinstance(value, str):
        return [word for word in value.replace('"', " ").split() if "://" in word]
    if isinstance(value, dict):
        return [url for item in value.values() for url in urls_in(item)]
    if isinstance(value, list):
        return [url for item in value for url in urls_in(item)]
    return []


@pytest.mark.slow
def test_a_self_hosted_hybrid_names_only_local_services(hybrid_backends, tmp_path: Path):
    project = tmp_path / "demo"
    scaffold(project)

    env = env_example(project)
    urls = {name: value for name, value in env.items() if "://" in value}
    assert {
        "OPENAI_BASE_URL",
        "RAG_EMBEDDING_BASE_URL",
        "WEAVIATE_URL",
        "HF_LORA_SERVER_URL",
    } <= set(urls)
    assert all(urlsplit(url).hostname in LOCAL_HOSTS for url in urls.values()), urls

    compose = yaml.safe_load((project / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert set(services) == {"weaviate", "vllm-embed", "vllm-chat"}
    hosts = {urlsplit(url).hostname for url in urls_in(services)}
    assert hosts <= LOCAL_HOSTS | set(services), hosts
    assert services["weaviate"]["environment"]["ENABLE_MODULES"] == "", "no module calls out"
    assert "--enable-lora" in services["vllm-chat"]["command"]
    for text in (
        (project / ".env.example").read_text("utf-8"),
        (project / "docker-compose.yml").read_text("utf-8"),
    ):
        assert not any(host in text for host in PROVIDER_HOSTS)

    tests = run_in_starter(
        project,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/weaviate_rag/test_deployment.py",
        "tests/weaviate_rag/test_settings.py",
        "tests/weaviate_rag/test_systems.py",
        "tests/hf_lora/test_endpoint.py",
        "tests/test_startup.py",
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " skipped" not in tests.stdout, tests.stdout[-2000:]
    assert ruff_failures(project) == []

    run = run_in_starter(project, "-c", LOCAL_RUN)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["embedding_models"] == ["BAAI/bge-m3"], "vllm-embed's model"
    assert outcome["chat_embeddings"] == 0 and outcome["embed_chats"] == 0
    assert "lora" in outcome["chat_models"], "the adapter is asked on vllm-chat"
    assert outcome["weaviate_modules"] == [[]], "no generative module in the collection"
    rows = [line.split()[0] for line in outcome["evaluate"].splitlines()[1:] if line.strip()]
    assert {"rag", "fine-tuned+rag"} <= set(rows), outcome["evaluate"]


def test_an_air_gapped_project_adds_the_offline_switches(hybrid_backends, tmp_path: Path):
    project = tmp_path / "demo"
    scaffold(project, "--set", "deployment=air-gapped")

    env = env_example(project)
    assert env["HF_HUB_OFFLINE"] == "1"
    assert "HF_TOKEN" not in env, "nothing is fetched from the Hub"
    compose = yaml.safe_load((project / "docker-compose.yml").read_text("utf-8"))
    assert {s.get("pull_policy") for s in compose["services"].values()} == {"never"}
    assert all(
        s["environment"]["HF_HUB_OFFLINE"] == "1"
        for name, s in compose["services"].items()
        if name.startswith("vllm")
    )
    readme = (project / "README.md").read_text("utf-8")
    assert "### Prepare the artefacts" in readme
    assert "docker save" in readme and "hf download" in readme
    cli_source = (project / "src" / "demo" / "cli.py").read_text("utf-8")
    assert 'os.environ.setdefault("HF_HUB_OFFLINE", "1")' in cli_source

    # The CLI sets the switch before any command can import a Hugging Face library.
    probe = run_in_starter(
        project, "-c", "import os; import demo.cli; print(os.environ['HF_HUB_OFFLINE'])"
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.strip() == "1"


@pytest.mark.parametrize(
    ("deployment", "says", "never"),
    [
        ("self-hosted", "RAG_EMBEDDING_BASE_URL", "OPENAI_API_KEY"),
        ("api", "OPENAI_API_KEY", "RAG_EMBEDDING_BASE_URL"),
    ],
)
def test_the_next_steps_name_what_ingest_needs_for_the_deployment(
    hybrid_backends, tmp_path: Path, deployment: str, says: str, never: str
):
    output = scaffold(tmp_path / "demo", "--set", f"deployment={deployment}")
    [ingest] = [line for line in output.splitlines() if " ingest data/corpus" in line]
    assert says in ingest and never not in ingest


def test_an_api_project_keeps_its_provider_defaults(hybrid_backends, tmp_path: Path):
    project = tmp_path / "demo"
    scaffold(project, "--set", "deployment=api")

    env = env_example(project)
    assert env["OPENAI_BASE_URL"] == "" and env["WEAVIATE_URL"] == ""
    assert "HF_HUB_OFFLINE" not in env
    compose = yaml.safe_load((project / "docker-compose.yml").read_text("utf-8"))
    assert set(compose["services"]) == {"weaviate"}
    assert not (project / "tests" / "weaviate_rag" / "test_deployment.py").exists()
    assert "## Deployment" not in (project / "README.md").read_text("utf-8")


def test_a_hosted_backend_under_self_hosted_is_named_in_a_note(tmp_path: Path):
    result = CliRunner().invoke(
        cli,
        [
            "scaffold",
            str(tmp_path / "demo"),
            "--no-input",
            "--dry-run",
            "--answers",
            str(HOSPITAL),
            "--backend",
            "openai-finetune",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "deployment self-hosted: backend openai-finetune sends the data" in result.output

    hosted = CliRunner().invoke(
        cli,
        [
            "scaffold",
            str(tmp_path / "api"),
            "--no-input",
            "--dry-run",
            "--answers",
            str(HOSPITAL),
            "--set",
            "deployment=api",
            "--backend",
            "openai-finetune",
        ],
    )
    assert hosted.exit_code == 0, hosted.output
    assert "sends the data" not in hosted.output
