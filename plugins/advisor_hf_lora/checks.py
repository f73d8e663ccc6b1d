"""``advisor doctor`` checks for the hf-lora backend: can this machine train and serve?

Four checks, each fast and none importing torch (importing it takes seconds and the
doctor only needs to know where it is and how it was built):

- ``hf-lora.torch``: torch is installed, and which build (CUDA, ROCm or CPU-only), read
  from its ``version.py`` next to the package rather than by importing it;
- ``hf-lora.gpu``: an NVIDIA GPU is present (``nvidia-smi``, with ``timeout_s``) and has
  the memory the chosen model needs for the chosen method (the LoRA/QLoRA table of
  ``models.py``, the one the generated README shows);
- ``hf-lora.base-model``: the base model is a local folder or already in the Hugging
  Face cache; otherwise one request asks the Hub whether it can be downloaded, unless
  offline mode (``HF_HUB_OFFLINE``, or ``deployment = "air-gapped"``) forbids that;
- ``hf-lora.vllm``: vLLM is installed for serving, or a server is configured.

The model and method come from ``[plugins.hf-lora]`` (``base_model``, ``method``), else
the checked project's ``FINETUNE_BASE_MODEL`` or recorded ``hf_lora_model`` answer.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.api import N_, Check, CheckResult, Message

from .models import BY_ID, DEFAULT_MODEL

BACKEND = "hf-lora"
SECTION = "hf-lora"
DEFAULTS: dict[str, Any] = {"base_model": None, "method": "lora"}
METHODS = ("lora", "qlora")
TORCH_FIX = N_(
    "pip install torch (pick the build for your GPU at pytorch.org/get-started/locally), "
    "or install the starter with pip install -e '.[dev]'"
)


def register_all(register: Callable[[Check], None]) -> None:
    register(Check("hf-lora.torch", check_torch, BACKEND))
    register(Check("hf-lora.gpu", check_gpu, BACKEND))
    register(Check("hf-lora.base-model", check_base_model, BACKEND))
    register(Check("hf-lora.vllm", check_vllm, BACKEND))


# --- torch -----------------------------------------------------------------------------------


def torch_build(version_file: Path) -> str:
    """``CUDA 12.4``, ``ROCm 6.2`` or ``CPU-only``, from torch's generated ``version.py``."""
    text = version_file.read_text("utf-8") if version_file.is_file() else ""
    for name, label in (("cuda", "CUDA"), ("hip", "ROCm")):
        match = re.search(rf"^{name}\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE)
        if match:
            return f"{label} {match.group(1)}"
    return "CPU-only"


def check_torch(settings: Any) -> CheckResult:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return CheckResult("fail", N_("torch is not installed (training needs it)"), TORCH_FIX)
    version = _version("torch") or Message(N_("unknown version"))
    build = torch_build(Path(next(iter(spec.submodule_search_locations))) / "version.py")
    if build == "CPU-only" and _gpus(settings):
        return CheckResult(
            "warn",
            Message(
                N_("torch {version} is a CPU-only build, but this machine has an NVIDIA GPU"),
                version=version,
            ),
            N_("install torch's CUDA build (pytorch.org/get-started/locally) to train on the GPU"),
        )
    return CheckResult(
        "ok", Message(N_("torch {version} ({build} build)"), version=version, build=build)
    )


# --- GPU -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: float


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """``name, memory MiB`` lines of ``nvidia-smi --query-gpu=name,memory.total``."""
    gpus = []
    for line in text.splitlines():
        name, _, memory = line.rpartition(",")
        try:
            gpus.append(Gpu(name.strip(), float(memory.strip()) / 1024))
        except ValueError:
            continue
    return gpus


def _gpus(settings: Any) -> list[Gpu]:
    """The NVIDIA GPUs ``nvidia-smi`` lists (none without it); asked once per doctor run."""

    def query() -> list[Gpu]:
        smi = shutil.which("nvidia-smi")
        if smi is None:
            return []
        try:
            done = subprocess.run(
                [smi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                capture_output=True,
                text=True,
                timeout=settings.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
        return parse_nvidia_smi(done.stdout) if done.returncode == 0 else []

    gpus: list[Gpu] = settings.memo("hf-lora.gpus", query)
    return gpus


def check_gpu(settings: Any) -> CheckResult:
    model, method = _model(settings), _section(settings).method
    if method not in METHODS:
        return CheckResult(
            "fail",
            Message(
                N_("[plugins.hf-lora] method = {method} is not allowed (allowed: lora, qlora)"),
                method=repr(method),
            ),
            N_("set method to lora or qlora"),
        )
    gpus = _gpus(settings)
    if not gpus:
        return CheckResult(
            "warn",
            N_("no NVIDIA GPU found (nvidia-smi is not on PATH or lists none)"),
            N_("train on a machine with a GPU; here, only the starter's CPU smoke test runs"),
        )
    best = max(gpus, key=lambda gpu: gpu.memory_gb)
    found = f"{best.name} ({best.memory_gb:.0f} GB)"
    entry = BY_ID.get(model)
    if entry is None:
        return CheckResult(
            "ok", Message(N_("{gpu}; no memory estimate for {model}"), gpu=found, model=model)
        )
    need = entry.lora_train_gb if method == "lora" else entry.qlora_train_gb
    given = {"gpu": found, "need": need, "method": method, "model": model}
    if best.memory_gb < need:
        if method == "qlora":
            short = Message(
                N_("{gpu} has less than the ~{need} GB {method} training of {model} needs"),
                **given,
            )
        else:
            short = Message(
                N_(
                    "{gpu} has less than the ~{need} GB {method} training of {model} needs, "
                    "QLoRA needs ~{qlora} GB"
                ),
                **given,
                qlora=entry.qlora_train_gb,
            )
        return CheckResult(
            "fail",
            short,
            Message(
                N_("use a bigger GPU ({gpu}), method = qlora, or a smaller model"),
                gpu=entry.suggested_gpu,
            ),
        )
    return CheckResult(
        "ok", Message(N_("{gpu}: enough for {method} training of {model} (~{need} GB)"), **given)
    )


# --- base model ------------------------------------------------------------------------------


def hub_cache() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "huggingface" / "hub"


def cached(model: str, cache: Path) -> bool:
    """Whether a snapshot of ``model`` with its ``config.json`` is in ``cache``."""
    folder = cache / ("models--" + model.replace("/", "--")) / "snapshots"
    return folder.is_dir() and any((snap / "config.json").is_file() for snap in folder.iterdir())


def check_base_model(settings: Any) -> CheckResult:
    model = _model(settings)
    local = Path(model).expanduser()
    if local.is_dir():
        if (local / "config.json").is_file():
            return CheckResult(
                "ok", Message(N_("base model is the local folder {folder}"), folder=local)
            )
        return CheckResult(
            "fail",
            Message(N_("{folder} has no config.json"), folder=local),
            N_("point at a model folder"),
        )
    cache = hub_cache()
    if cached(model, cache):
        return CheckResult(
            "ok",
            Message(N_("{model} is in the Hugging Face cache ({cache})"), model=model, cache=cache),
        )
    offline = _offline(settings)
    if offline:
        return CheckResult(
            "fail",
            Message(
                N_("{model} is not in the Hugging Face cache ({cache}) and {reason}"),
                model=model,
                cache=cache,
                reason=offline,
            ),
            Message(
                N_(
                    "download it ahead on a connected machine (hf download {model}) and copy "
                    "the cache over, or point base_model at a local folder"
                ),
                model=model,
            ),
        )
    return _ask_hub(settings, model)


def _ask_hub(settings: Any, model: str) -> CheckResult:
    import urllib.error
    import urllib.request

    endpoint = (settings.env_value("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    request = urllib.request.Request(f"{endpoint}/api/models/{model}", method="GET")
    token = settings.env_value("HF_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    size = BY_ID[model].weights_gb if model in BY_ID else None
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_s) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return CheckResult(
                "fail",
                Message(
                    N_("{endpoint} refused {model} (HTTP {status}): a gated model"),
                    endpoint=endpoint,
                    model=model,
                    status=exc.code,
                ),
                N_("accept its licence on the Hub and set HF_TOKEN"),
            )
        return CheckResult(
            "fail",
            Message(
                N_("{endpoint} answered HTTP {status} for {model}"),
                endpoint=endpoint,
                status=exc.code,
                model=model,
            ),
            N_("check the model id"),
        )
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return CheckResult(
            "fail",
            Message(
                N_("{model} is not cached and {endpoint} is not reachable ({reason})"),
                model=model,
                endpoint=endpoint,
                reason=reason,
            ),
            N_("connect to the Hub once to download it, or point base_model at a local folder"),
        )
    gated = model in BY_ID and BY_ID[model].gated and not token
    if gated:
        return CheckResult(
            "warn",
            Message(
                N_(
                    "{model} is not cached; the Hub has it, but it is gated and HF_TOKEN is "
                    "not set"
                ),
                model=model,
            ),
            N_("accept its licence on the Hub and set HF_TOKEN"),
        )
    if size:
        summary = Message(
            N_("{model} is not cached; the first run downloads it from {endpoint} (~{size} GB)"),
            model=model,
            endpoint=endpoint,
            size=f"{size:g}",
        )
    else:
        summary = Message(
            N_("{model} is not cached; the first run downloads it from {endpoint}"),
            model=model,
            endpoint=endpoint,
        )
    return CheckResult(
        "warn",
        summary,
        Message(
            N_("download it ahead (hf download {model}) to start training at once"), model=model
        ),
    )


def _offline(settings: Any) -> str:
    """Why nothing may be downloaded (empty when downloads are allowed)."""
    if (settings.env_value("HF_HUB_OFFLINE") or "").lower() in ("1", "true", "yes"):
        return Message(N_("HF_HUB_OFFLINE is set"))
    if getattr(settings, "deployment", "api") == "air-gapped":
        return Message(N_("deployment is air-gapped"))
    return ""


# --- vLLM ------------------------------------------------------------------------------------


def check_vllm(settings: Any) -> CheckResult:
    server = settings.env_value("HF_LORA_SERVER_URL")
    if importlib.util.find_spec("vllm") is not None:
        return CheckResult(
            "ok",
            Message(N_("vLLM {version} is installed for serving"), version=_version("vllm") or ""),
        )
    if server:
        return CheckResult(
            "ok", Message(N_("serving through HF_LORA_SERVER_URL ({url})"), url=server)
        )
    if shutil.which("vllm"):
        return CheckResult(
            "ok", Message(N_("vLLM is on PATH ({path})"), path=shutil.which("vllm"))
        )
    return CheckResult(
        "warn",
        N_(
            "vLLM is not installed and HF_LORA_SERVER_URL is not set: the starter runs the "
            "model in-process (slow; fine for evaluation runs)"
        ),
        N_("pip install vllm on the serving GPU machine and set HF_LORA_SERVER_URL"),
    )


# --- helpers ---------------------------------------------------------------------------------


def _section(settings: Any) -> Any:
    return settings.section(SECTION, DEFAULTS)


def _model(settings: Any) -> str:
    chosen = _section(settings).base_model or settings.env_value("FINETUNE_BASE_MODEL")
    if not chosen and settings.project is not None:
        recorded = settings.project.answers.get("hf_lora_model")
        chosen = recorded if isinstance(recorded, str) else None
    return chosen or DEFAULT_MODEL


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
