"""The built-in ``hf-lora`` backend: registration, its question, its context, its starter.

The light tests scaffold the starter and check what it holds (files, README table,
settings, lint). The heavy one installs the starter into a fresh virtual environment with
the CPU build of torch and runs the starter's own tests (a real LoRA training step on a
tiny local model); it runs only with ``ADVISOR_HEAVY_TESTS=1``, in its own CI step.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from advisor_hf_lora import (
    BACKEND,
    MODEL_QUESTION,
    chunks,
    extra_context,
    training_system_prompt,
)
from advisor_hf_lora.models import DEFAULT_MODEL, MODELS
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scaffold_testkit import HYBRID_ANSWERS, TEST_RAG, run_advisor, use_backends, write_answers
from starter_runs import run_in_starter

from advisor import plugins
from advisor.advice import load_price_data
from advisor.api import InputError, ScaffoldContext, open_weights_training, templates_path
from advisor.cli import cli

REPO = Path(__file__).parents[1]
PRICE_BOOK = load_price_data()
# A fine-tuning decision: stable facts, a strict house style, enough examples and budget.
FINE_TUNE_ANSWERS = {
    "volatility": "yearly",
    "format": "strict",
    "latency_ms": 800,
    "budget_usd": 5000,
    "examples": 800,
    "citations": False,
    "documents": 0,
}
HEAVY = os.environ.get("ADVISOR_HEAVY_TESTS", "") not in ("", "0", "false", "no")
# The CPU build of torch on PyPI-compatible mirrors is a local version (2.13.0+cpu); pass
# ADVISOR_TORCH_SPEC (e.g. "torch --index-url https://download.pytorch.org/whl/cpu") to
# take it from elsewhere.
TORCH_SPEC = os.environ.get("ADVISOR_TORCH_SPEC", "torch==2.13.0")


def context(answers: dict | None = None, backends=("hf-lora",)) -> ScaffoldContext:
    approaches = ("fine-tune", "rag") if len(backends) > 1 else ("fine-tune",)
    return ScaffoldContext("demo", "demo", answers or {}, tuple(backends), approaches)


def scaffold(tmp_path: Path, *extra: str, name: str = "demo") -> Path:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(FINE_TUNE_ANSWERS), encoding="utf-8")
    target = tmp_path / name
    result = CliRunner().invoke(
        cli,
        ["scaffold", str(target), "--backend", "hf-lora", "--answers", str(answers),
         "--no-input", *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return target


# --- registration, question and context ---------------------------------------------


def test_registered_through_the_entry_point_group(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "hf-lora")
    plugins.reset()
    try:
        backend = plugins.get_plugins().backends()["hf-lora"]
    finally:
        plugins.reset()
    assert backend.approaches == ("fine-tune",)
    assert backend.template_dir == templates_path("hf-lora")
    assert (backend.template_dir / "readme.md").is_file()
    # The shared chat-data validator is included, not rewritten.
    assert backend.include == (templates_path("parts", "chatdata"),)
    assert "chatdata.commands" in backend.commands
    assert (templates_path("parts", "chatdata") / "files").is_dir()


def test_model_question_offers_small_models_smallest_first():
    assert MODEL_QUESTION.default == DEFAULT_MODEL == "Qwen/Qwen2.5-0.5B-Instruct"
    sizes = [m.params_b for m in MODELS]
    assert sizes == sorted(sizes)
    assert all(0.4 <= size <= 3.5 for size in sizes)
    assert set(MODEL_QUESTION.choice_help) == set(MODEL_QUESTION.choices)
    assert BACKEND.questions == (MODEL_QUESTION,)


def test_context_carries_the_chosen_model_to_the_code_and_the_shared_part():
    chosen = "Qwen/Qwen2.5-1.5B-Instruct"
    values = extra_context(context({"hf_lora_model": chosen}))
    assert values["hf_lora_model"]["repo_id"] == chosen
    assert values["chatdata"]["base_model"] == chosen
    assert values["chatdata"]["epochs"] == values["hf_lora_epochs"]
    assert [m["repo_id"] for m in values["hf_lora_models"]] == list(MODEL_QUESTION.choices)


def test_context_refuses_a_model_it_does_not_offer():
    with pytest.raises(InputError) as caught:
        extra_context(context({"hf_lora_model": "acme/Giant-70B"}))
    assert str(caught.value).startswith("hf_lora_model: 'acme/Giant-70B' is not allowed")


def test_system_prompt_is_the_shipped_training_data_s():
    data = templates_path("parts", "chatdata", "files", "data")
    for name in ("train.jsonl", "validation.jsonl"):
        for line in (data / name).read_text("utf-8").splitlines():
            system = [m for m in json.loads(line)["messages"] if m["role"] == "system"]
            assert [m["content"] for m in system] == [training_system_prompt()]


@given(st.lists(st.text(alphabet="abcdefgh'\"\\", min_size=1, max_size=30), max_size=40))
def test_chunks_join_back_to_the_text_and_stay_short(words: list[str]):
    text = " ".join(words)
    pieces = chunks(text, width=40)
    assert "".join(pieces) == text
    assert all(len(p.rstrip(" ")) <= 40 or " " not in p.rstrip(" ") for p in pieces)


# --- the scaffolded starter ------------------------------------------------------------


def test_scaffolded_starter_has_the_lora_pieces(tmp_path: Path):
    project = scaffold(tmp_path, "--set", "hf_lora_model=HuggingFaceTB/SmolLM2-1.7B-Instruct")
    for path in (
        "src/demo/hf_lora/training.py",
        "src/demo/chatdata/rules.py",
        "accelerate/single-gpu.yaml",
        "accelerate/multi-gpu.yaml",
        "accelerate/fsdp.yaml",
        "accelerate/deepspeed-zero3.yaml",
        "data/train.jsonl",
        "tests/hf_lora/test_training.py",
        "tests/hf_lora/conftest.py",
    ):
        assert (project / path).is_file(), path
    # The hybrid contract module and its test belong to hybrid projects only.
    assert not (project / "src/demo/finetuned.py").exists()
    assert not (project / "tests/hf_lora/test_finetuned_contract.py").exists()
    readme = (project / "README.md").read_text("utf-8")
    assert "`HuggingFaceTB/SmolLM2-1.7B-Instruct` (this project)" in readme
    for model in MODELS:
        assert f"| `{model.repo_id}`" in readme
    assert "vllm serve HuggingFaceTB/SmolLM2-1.7B-Instruct --enable-lora" in readme
    # the CPU build, pinned, comes first, as .ci/run installs it (issue 18)
    assert ('pip install "torch==2.13.0"   # the CPU build: where your index or wheel cache '
            'holds it\npip install -e ".[dev]"') in readme
    assert "RAG_CHAT_MODEL" not in readme  # no RAG pipeline in this project
    settings = (project / "src/demo/hf_lora/settings.py").read_text("utf-8")
    assert "default='HuggingFaceTB/SmolLM2-1.7B-Instruct'" in settings
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    for requirement in ("transformers", "peft", "trl", "datasets", "accelerate", "torch"):
        assert f'"{requirement}' in pyproject


def test_validate_prices_the_open_weights_run_in_gpu_hours_from_the_price_book(
    tmp_path: Path,
):
    figures = open_weights_training("hf-lora")
    assert figures is not None and figures["key"] in PRICE_BOOK["open_weights_models"]
    project = scaffold(tmp_path)
    shipped = json.loads((project / "src/demo/chatdata/open_weights.json").read_text("utf-8"))
    assert shipped == figures
    report = run_in_starter(project, "-m", "demo", "validate", "data/train.jsonl",
                            "--tokenizer", "approx", "--format", "json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    hours = data["billed_tokens"] / (figures["training_tokens_per_second"] * 3600)
    hours += figures["run_overhead_hours"]
    assert (data["cost_basis"], data["gpu_hours"]) == ("gpu-hours", round(hours, 2))
    text = run_in_starter(project, "-m", "demo", "validate", "data/train.jsonl",
                          "--tokenizer", "approx").stdout
    assert "OpenAI's default" not in text and "unknown" not in text
    assert f"GPU-hours ({data['billed_tokens']:,} tokens at" in text


def test_offline_train_fails_fast_without_torch(tmp_path: Path):
    """The starter's own Hub checks (tests/hf_lora/test_hub.py) run before torch is needed:
    without a network, `train` says what to do within seconds, not after a minute."""
    project = scaffold(tmp_path)
    tests = run_in_starter(project, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/hf_lora/test_hub.py")
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "4 passed" in tests.stdout


def test_scaffolded_code_compiles_and_is_lint_clean(tmp_path: Path):
    # A long name: generated lines that embed it must still fit ruff's line length.
    project = scaffold(tmp_path, name="clinical-guidelines-open-weights-assistant")
    ours = [
        "src/clinical_guidelines_open_weights_assistant/hf_lora",
        "tests/hf_lora",
    ]
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "src", "tests"],
        cwd=project, capture_output=True, text=True, check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    linted = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *ours],
        cwd=project, capture_output=True, text=True, check=False,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_system_prompt_in_the_starter_is_the_training_data_s(tmp_path: Path):
    project = scaffold(tmp_path)
    source = (project / "src/demo/hf_lora/settings.py").read_text("utf-8")
    start = source.index("SYSTEM_PROMPT = (") + len("SYSTEM_PROMPT = ")
    literal = source[start : source.index("\n)\n", start) + 2]
    assert ast.literal_eval(literal) == training_system_prompt()


def test_hybrid_renders_the_contract_module_and_a_readme_that_needs_no_openai_rerouting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for _ in use_backends(monkeypatch, BACKEND, TEST_RAG):
        answers = write_answers(tmp_path, HYBRID_ANSWERS)
        result = run_advisor("scaffold", tmp_path / "both", "--answers", answers, "--no-input",
                             "--backend", "hf-lora", "--backend", "test-rag")
        assert result.exit_code == 0, result.output
    project = tmp_path / "both"
    assert (project / "src/both/finetuned.py").is_file()
    assert (project / "tests/hf_lora/test_finetuned_contract.py").is_file()
    readme = (project / "README.md").read_text("utf-8")
    section = readme[readme.index("### The RAG pipeline generates with your model"):]
    assert "train --train-file data/raft/raft.train.jsonl" in section
    assert "--validation-file data/raft/raft.validation.jsonl" in section
    assert "`src/both/finetuned.py`" in section and "HF_LORA_SERVER_URL" in section
    # The contract module reaches the server: no rerouting of the RAG side's OpenAI settings.
    assert "RAG_CHAT_MODEL=lora" not in readme
    assert "OPENAI_BASE_URL=" not in section


# --- heavy: install the starter and run its tests -------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not HEAVY, reason="installs torch and runs training; set ADVISOR_HEAVY_TESTS=1")
def test_starter_installs_and_its_tests_pass_offline(tmp_path: Path):
    project = scaffold(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet"]
    # The CPU build first: an unpinned torch would pull the multi-GB CUDA build.
    subprocess.run([*pip, *TORCH_SPEC.split()], check=True)
    subprocess.run([*pip, "-e", ".[dev]"], cwd=project, check=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout
