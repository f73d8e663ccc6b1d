"""Where the base model comes from: a local folder, the Hugging Face cache, or the Hub.

Without a network, transformers retries the Hub for most of a minute before it fails with
a long traceback. ``train`` asks here first, with the standard library only (before
torch or transformers are imported), and stops within seconds with what to do. A model
already in the cache is used from there: ``HF_HUB_OFFLINE`` is set for the run, so no
request waits for a Hub that cannot answer.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

REACH_TIMEOUT_S = 3.0
TRUE = frozenset({"1", "on", "true", "yes"})


class HubUnavailable(Exception):
    """The base model is neither local nor cached, and the Hub cannot provide it."""


def hub_cache() -> Path:
    """The Hugging Face cache folder, as huggingface_hub finds it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "huggingface"
    )
    return Path(home).expanduser() / "hub"


def is_cached(repo_id: str) -> bool:
    """Whether a snapshot of ``repo_id`` with its config is in the cache."""
    snapshots = hub_cache() / f"models--{repo_id.replace('/', '--')}" / "snapshots"
    return any(snapshots.glob("*/config.json"))


def hub_reachable(endpoint: str, timeout: float = REACH_TIMEOUT_S) -> bool:
    """Whether the Hub answers at all (any HTTP status), through the configured proxies."""
    if not endpoint.startswith(("https://", "http://")):
        return False
    url = f"{endpoint.rstrip('/')}/api/models"
    request = urllib.request.Request(url, method="HEAD")  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - http(s) only
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def ensure_available(model: str) -> None:
    """Return when ``model`` can be loaded; otherwise raise :class:`HubUnavailable`."""
    if Path(model).expanduser().is_dir():
        return
    cached = is_cached(model)
    where = f"not in the local Hugging Face cache ({hub_cache()})"
    todo = (
        f"download it once with network (`hf download {model}`), or set "
        "FINETUNE_BASE_MODEL to a local model folder"
    )
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in TRUE:
        if cached:
            return
        raise HubUnavailable(f"base model {model!r}: {where} and HF_HUB_OFFLINE is set: {todo}")
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    if hub_reachable(endpoint):
        return
    if cached:
        os.environ["HF_HUB_OFFLINE"] = "1"  # the cached copy, without waiting for the Hub
        return
    raise HubUnavailable(f"base model {model!r}: {where} and {endpoint} cannot be reached: {todo}")
