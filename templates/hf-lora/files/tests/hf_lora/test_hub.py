"""Without a network, `train` says within seconds where the base model could come from.

These need neither torch nor a network: the check runs before transformers is imported,
and an unreachable Hub is a proxy on a closed port of 127.0.0.1.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.hf_lora.hub import (
    HubUnavailable,
    ensure_available,
    is_cached,
)

MODEL = {{ hf_lora_model.repo_id | py }}
CLOSED = "http://127.0.0.1:9"


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache, the default base model, and a Hub nobody can reach."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("HF_", "FINETUNE_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, CLOSED)
    return tmp_path


def cache_snapshot(repo_id: str) -> None:
    """What a finished download leaves in the cache: a snapshot with the model's config."""
    folder = Path(os.environ["HF_HOME"], "hub", f"models--{repo_id.replace('/', '--')}")
    (folder / "snapshots" / "0123abc").mkdir(parents=True)
    (folder / "snapshots" / "0123abc" / "config.json").write_text("{}")


def test_train_offline_fails_in_seconds_with_what_to_do(no_network: Path):
    started = time.monotonic()
    result = CliRunner().invoke(main, ["train"])
    took = time.monotonic() - started
    assert result.exit_code == 2
    assert took < 10, f"{took:.1f} s: the check must not wait for retries"
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: base model {MODEL!r}: not in the local Hugging Face cache")
    assert "https://huggingface.co cannot be reached" in line
    assert f"`hf download {MODEL}`" in line and "FINETUNE_BASE_MODEL" in line


def test_hf_hub_offline_without_the_model_cached_says_so(
    no_network: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(main, ["train"])
    assert result.exit_code == 2
    assert "and HF_HUB_OFFLINE is set: download it once" in result.output


def test_a_cached_model_is_used_offline_without_asking_the_hub(
    no_network: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    cache_snapshot(MODEL)
    assert is_cached(MODEL)
    ensure_available(MODEL)
    assert os.environ["HF_HUB_OFFLINE"] == "1", "transformers must not retry the Hub"


def test_a_local_model_folder_needs_no_hub(no_network: Path):
    (no_network / "my-model").mkdir()
    ensure_available(str(no_network / "my-model"))
    with pytest.raises(HubUnavailable):
        ensure_available(str(no_network / "no-such-folder"))
