"""The hybrid starter: `openai-finetune` and `weaviate-rag` composed into one project.

A `hybrid` decision gives one project whose RAG pipeline answers with the fine-tuned model,
whose `raft-data` builds training data with retrieved sources, and whose `evaluate`
compares `base`, `fine-tuned`, `rag` and `fine-tuned+rag`. The project's own tests (against
its local OpenAI and Weaviate fakes) and ruff run here; then one `evaluate` over the four
systems runs against the same fakes. With `hf-lora` as the fine-tuning side, the models
are served names on a vLLM stand-in: its contract test, the hybrid tests, ruff, and one
`ask` and `evaluate` run the same way (torch is not needed for any of it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from starter_runs import ruff_failures, run_in_starter, run_starter_tests

from advisor import plugins
from advisor.cli import cli

REPO = Path(__file__).resolve().parents[1]
HYBRID_ANSWERS = REPO / "examples" / "answers" / "policy-copilot.json"

# Runs inside the scaffolded project: its own fakes stand in for OpenAI and Weaviate, a
# recorded training job stands in for `train`, and `evaluate` runs every system.
FOUR_SYSTEMS = """
import json, os, pathlib
from click.testing import CliRunner
from tests.weaviate_rag import fake_openai, fake_weaviate
from demo.cli import main

openai, weaviate = fake_openai.start(), fake_weaviate.start()
os.environ.update(
    OPENAI_API_KEY="sk-test-key", OPENAI_BASE_URL=openai.base_url,
    WEAVIATE_URL=weaviate.url, WEAVIATE_GRPC_PORT=str(weaviate.grpc_port),
    HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",  # nothing leaves
    NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
)
record = pathlib.Path(".finetune/model.json")
record.parent.mkdir(exist_ok=True)
record.write_text(json.dumps({"job_id": "ftjob-1", "base_model": "gpt-4.1-mini-2025-04-14",
                              "status": "succeeded", "fine_tuned_model": "ft:demo-tuned"}))
runner = CliRunner()
for args in (["ingest", "data/corpus"], ["evaluate", "--scorer", "contains"]):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
models = sorted({r.body["model"] for r in openai.chat_requests()})
print(json.dumps({"models": models, "output": result.output}))
weaviate.stop()
openai.server.stop()
"""

# The hf-lora hybrid, inside the scaffolded project: one OpenAI fake for the embeddings,
# another standing in for vLLM (base model + adapter), and the Weaviate fake.
SERVED_ADAPTER = """
import json, os
from click.testing import CliRunner
from tests.weaviate_rag import fake_openai, fake_weaviate
from demo.cli import main

openai, vllm, weaviate = fake_openai.start(), fake_openai.start(), fake_weaviate.start()
os.environ.update(
    OPENAI_API_KEY="sk-test-key", OPENAI_BASE_URL=openai.base_url,
    HF_LORA_SERVER_URL=vllm.base_url, HF_LORA_SERVER_API_KEY="sk-test-key",
    RAG_VECTORIZER="self-provided",  # the project embeds: OpenAI's requests show it
    WEAVIATE_URL=weaviate.url, WEAVIATE_GRPC_PORT=str(weaviate.grpc_port),
    HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",  # nothing leaves
    NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
)
runner = CliRunner()
outputs = []
for args in (["ingest", "data/corpus"], ["ask", "What HbA1c target suits most adults?"],
             ["evaluate", "--scorer", "contains"]):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    outputs.append(result.output)
print(json.dumps({
    "ask": outputs[1], "evaluate": outputs[2],
    "vllm_models": sorted({r.body["model"] for r in vllm.chat_requests()}),
    "openai_chats": len(openai.chat_requests()),
    "openai_embeddings": len(openai.embedding_requests()),
    "vllm_embeddings": len(vllm.embedding_requests()),
}))
weaviate.stop()
vllm.server.stop()
openai.server.stop()
"""


# A `format: schema` hybrid, inside the project. First against the project's own fakes:
# `evaluate` before `ingest` fails loudly; after it, every system answers with structured
# outputs and the evidence file carries costs and format validity. Then against an
# OpenAI-protocol server that keeps connections alive (as OpenAI's does), `evaluate` in a
# fresh interpreter with ResourceWarning as an error: no socket may be left open.
SCHEMA_EVIDENCE = """
import json, os, pathlib, subprocess, sys, threading
from http.server import ThreadingHTTPServer
from click.testing import CliRunner
from tests.weaviate_rag import fake_openai, fake_weaviate
from tests.finetune.conftest import FakeOpenAI, Handler
from demo.cli import main

TUNED = "ft:gpt-4.1-mini-2025-04-14:org:demo:ftjob-1"
openai, weaviate = fake_openai.start(), fake_weaviate.start()
os.environ.update(
    OPENAI_API_KEY="sk-test-key", OPENAI_BASE_URL=openai.base_url,
    WEAVIATE_URL=weaviate.url, WEAVIATE_GRPC_PORT=str(weaviate.grpc_port),
    HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",  # nothing leaves
    NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
)
record = pathlib.Path(".finetune/model.json")
record.parent.mkdir(exist_ok=True)
record.write_text(json.dumps({"job_id": "ftjob-1", "base_model": "gpt-4.1-mini-2025-04-14",
                              "status": "succeeded", "fine_tuned_model": TUNED}))
runner = CliRunner()
before = runner.invoke(main, ["evaluate", "--system", "rag"])
assert runner.invoke(main, ["ingest", "data/corpus"]).exit_code == 0
after = runner.invoke(main, ["evaluate", "--scorer", "contains"])
formats = [r.body.get("response_format") for r in openai.chat_requests()]

state = FakeOpenAI()
state.jobs["ftjob-1"] = {"model": "gpt-4.1-mini-2025-04-14", "fine_tuned_model": TUNED}
handler = type("KeepAlive", (Handler,), {"state": state, "protocol_version": "HTTP/1.1"})
server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
env = {**os.environ, "OPENAI_API_KEY": state.api_key,
       "OPENAI_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/v1"}
fresh = subprocess.run(
    [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-m", "demo", "evaluate",
     "--output", "leak-check.json"],
    env=env, capture_output=True, text=True, timeout=600,
)
print(json.dumps({
    "before": [before.exit_code, before.output], "after": [after.exit_code, after.output],
    "formats": formats, "fresh": [fresh.returncode, fresh.stderr],
    "keep_alive_chats": sum(1 for r in state.requests if r[1] == "chat/completions"),
}))
server.shutdown()
server.server_close()
weaviate.stop()
openai.server.stop()
"""


@pytest.fixture
def built_in_backends(monkeypatch: pytest.MonkeyPatch):
    """Only the built-in backends, whatever else is installed (hf-lora would be preferred)."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai-finetune,weaviate-rag")
    plugins.reset()
    yield
    plugins.reset()


def scaffold(target: Path, *args: str) -> None:
    result = CliRunner().invoke(
        cli, ["scaffold", str(target), "--no-input", "--answers", str(HYBRID_ANSWERS), *args]
    )
    assert result.exit_code == 0, result.output


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, [n for n, at in zip(needles, found, strict=True) if at < 0]
    return found


def test_a_rag_only_project_has_none_of_the_hybrid_parts(built_in_backends, tmp_path: Path):
    project = tmp_path / "demo"
    scaffold(project, "--backend", "weaviate-rag")
    package = project / "src" / "demo"
    assert not (package / "finetuned.py").exists()
    assert not (package / "rag" / "hybrid.py").exists()
    assert not (package / "rag" / "raft.py").exists()
    assert not (project / "data" / "raft").exists()
    assert "fine-tuned" not in (package / "rag" / "systems.py").read_text("utf-8")
    assert "raft-data" not in (project / "README.md").read_text("utf-8")


def run_it_steps(project: Path) -> list[str]:
    """The project commands of the README's "Run it" block (the printed next steps)."""
    block = (project / "README.md").read_text("utf-8").split("## Run it", 1)[1]
    return [line for line in block.split("```")[1].splitlines() if line.startswith("demo ")]


@pytest.mark.parametrize(("fine_tune", "train"), [
    ("openai-finetune", "demo train --training-file data/raft/raft.train.jsonl "
                        "--validation-file data/raft/raft.validation.jsonl"),
    ("hf-lora", "demo train --train-file data/raft/raft.train.jsonl "
                "--validation-file data/raft/raft.validation.jsonl"),
])
def test_hybrid_next_steps_build_the_raft_data_from_the_index_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fine_tune: str, train: str
):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", f"{fine_tune},weaviate-rag")
    plugins.reset()
    try:
        if fine_tune not in plugins.get_plugins().backends():
            pytest.skip(f"the {fine_tune} backend is not in this checkout")
        scaffold(tmp_path / "demo", "--backend", fine_tune, "--backend", "weaviate-rag")
        scaffold(tmp_path / "alone", "--backend", fine_tune, "--name", "demo")
    finally:
        plugins.reset()
    steps = run_it_steps(tmp_path / "demo")
    order = positions("\n".join(steps), "demo ingest data/corpus", "demo raft-data",
                      "demo split data/raft/raft.jsonl",
                      "demo validate data/raft/raft.train.jsonl", train, "demo evaluate")
    assert order == sorted(order), steps
    assert not [s for s in steps if "data/train.jsonl" in s], "the hybrid trains on RAFT data"
    alone = run_it_steps(tmp_path / "alone")
    assert alone[0] == "demo validate data/train.jsonl", alone
    assert not [s for s in alone if "raft" in s]


@pytest.mark.slow
def test_the_hybrid_starter_composes_both_halves_and_passes_its_tests(
    built_in_backends, tmp_path: Path
):
    project = tmp_path / "demo"
    scaffold(project)  # the answers decide `hybrid`: one backend per approach
    record = yaml.safe_load((project / ".advisor.yml").read_text("utf-8"))
    assert record["decision"]["recommendation"] == "hybrid"
    assert [b["name"] for b in record["backends"]] == ["openai-finetune", "weaviate-rag"]
    package = project / "src" / "demo"
    for part in ("finetuned.py", "rag/hybrid.py", "rag/raft.py"):
        assert (package / part).is_file(), part
    for test in ("weaviate_rag/test_hybrid.py", "weaviate_rag/test_raft.py",
                 "finetune/test_finetuned_contract.py"):
        assert (project / "tests" / test).is_file(), test
    assert (project / "data" / "raft" / "questions.jsonl").is_file()

    readme = (project / "README.md").read_text("utf-8")
    flow = positions(
        readme,
        "1. **Evaluation set first.**",
        "2. **Ingest**",
        "3. **Build RAFT data**",
        "4. **Split and validate**",
        "5. **Train**",
        "6. **Evaluate**",
    )
    assert flow == sorted(flow), "the hybrid flow is listed in order"
    assert "train --training-file data/raft/raft.train.jsonl" in readme

    tests = run_starter_tests(project)  # stopped only when it stops making progress
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and " failed" not in tests.stdout
    assert ruff_failures(project) == []

    run = run_in_starter(project, "-c", FOUR_SYSTEMS)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    table = outcome["output"]
    rows = [line.split()[0] for line in table.splitlines()[1:] if line.strip()]
    assert rows[:4] == ["base", "fine-tuned", "rag", "fine-tuned+rag"], table
    assert outcome["models"] == ["ft:demo-tuned", "gpt-4.1-mini-2025-04-14"], (
        "the base systems ask the base model, the fine-tuned ones the recorded model"
    )
    results = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    hit_rates = {s["system"]: s["hit_rate"] for s in results["systems"]}
    assert hit_rates["rag"] == hit_rates["fine-tuned+rag"] == 1.0
    assert hit_rates["base"] is None, "no retrieval, no hit rate"


@pytest.mark.slow
def test_with_hf_lora_the_rag_side_answers_with_the_served_adapter(
    tmp_path: Path, monkeypatch
):
    """`hf-lora` joins the contract through the server its model runs behind (vLLM): its
    `finetuned.py` and that module's own test render, the hybrid tests pass beside them, and
    `ask` and `evaluate` send every chat to the served names, the embeddings to OpenAI."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "hf-lora,weaviate-rag")
    plugins.reset()
    if "hf-lora" not in plugins.get_plugins().backends():
        pytest.skip("the hf-lora backend is not in this checkout")
    from advisor_hf_lora.models import DEFAULT_MODEL

    project = tmp_path / "demo"
    try:
        scaffold(project, "--backend", "hf-lora", "--backend", "weaviate-rag")
    finally:
        plugins.reset()
    for part in ("finetuned.py", "rag/hybrid.py", "rag/raft.py"):
        assert (project / "src" / "demo" / part).is_file(), part
    assert "3. **Build RAFT data**" in (project / "README.md").read_text("utf-8")
    light_tests = ["tests/hf_lora/test_finetuned_contract.py", "tests/hf_lora/test_endpoint.py",
                   "tests/weaviate_rag/test_hybrid.py", "tests/weaviate_rag/test_raft.py",
                   # the CLI starts without pydantic, torch or the providers' clients
                   "tests/test_startup.py"]
    tests = run_in_starter(project, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *light_tests)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " skipped" not in tests.stdout, tests.stdout[-2000:]
    assert ruff_failures(project) == []

    run = run_in_starter(project, "-c", SERVED_ADAPTER)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert "answering with the fine-tuned model lora" in outcome["ask"]
    assert outcome["vllm_models"] == sorted([DEFAULT_MODEL, "lora"])
    assert outcome["openai_chats"] == 0, "no chat goes to OpenAI"
    assert outcome["openai_embeddings"] > 0 and outcome["vllm_embeddings"] == 0
    table = outcome["evaluate"]
    rows = [line.split()[0] for line in table.splitlines()[1:] if line.strip()]
    assert rows[:4] == ["base", "fine-tuned", "rag", "fine-tuned+rag"], table
    results = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    hit_rates = {s["system"]: s["hit_rate"] for s in results["systems"]}
    assert hit_rates["rag"] == hit_rates["fine-tuned+rag"] == 1.0


def test_a_schema_hybrid_answers_in_the_schema_and_writes_evidence(
    built_in_backends, tmp_path: Path
):
    """Issue 16 and 18: structured outputs against the local server, the evidence file
    with cost and format validity, a loud failure for `rag` before `ingest`, and no
    socket left open after a full hybrid `evaluate`."""
    project = tmp_path / "demo"
    scaffold(project, "--set", "format=schema", "--backend", "openai-finetune",
             "--backend", "weaviate-rag")
    assert (project / "src" / "demo" / "answer_schema.py").is_file()
    run = run_in_starter(project, "-c", SCHEMA_EVIDENCE)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])

    exit_code, output = outcome["before"]
    assert exit_code == 1, output
    assert "rag: 10 of 10 failed; first: " in output
    assert "every question failed for rag" in output

    exit_code, output = outcome["after"]
    assert exit_code == 0, output
    assert outcome["formats"] and all(
        f["type"] == "json_schema" and f["json_schema"]["strict"] for f in outcome["formats"]
    ), "every chat asks for structured outputs"
    evidence = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    assert evidence["schema"] == "advisor.evidence/1"
    assert evidence["eval_set"] == {"name": "eval", "items": 10}
    systems = {s["system"]: s for s in evidence["systems"]}
    assert list(systems) == ["base", "fine-tuned", "rag", "fine-tuned+rag"]
    for summary in systems.values():
        assert summary["items"] == 10 and summary["errors"] == 0
        assert 0 <= summary["score"] <= 1
        assert summary["format_valid_rate"] == 1.0
        assert summary["cost_per_1k_usd"] > 0, "priced from the usage the server reported"
    assert systems["fine-tuned"]["cost_per_1k_usd"] > systems["base"]["cost_per_1k_usd"], (
        "a fine-tuned model is billed at its higher rates"
    )
    assert {(i["system"], i["id"]) for i in evidence["items"]} >= {("rag", "htn-stage1")}
    # The loop closes: what the starter measured is evidence advisor decide weighs.
    results = str(project / "evals" / "results.json")
    answers = Path(__file__).parents[1] / "examples" / "answers" / "medical-guidelines.yaml"
    args = ["decide", "--answers", str(answers), "--set", "format=schema",
            "--evidence", results, "--no-input"]
    decided = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert decided.exit_code == 0, decided.output
    measured = json.loads(decided.stdout)["evidence"]
    assert {s["system"] for s in measured["systems"]} == set(systems)
    for fmt, heading in (("text", "Measured"), ("markdown", "## Measured"),
                         ("html", "Measured</h2>")):
        shown = CliRunner().invoke(cli, [*args, "--format", fmt])
        assert shown.exit_code == 0, shown.output
        assert heading in shown.output, fmt

    returncode, stderr = outcome["fresh"]
    assert returncode == 0, stderr
    assert outcome["keep_alive_chats"] == 40
    assert "ResourceWarning" not in stderr, stderr
