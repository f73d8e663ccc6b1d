"""Which plugins may load, known from the entry points alone: no plugin is imported.

``ADVISOR_LOAD_PLUGINS`` picks plugins by entry-point or distribution name, compared as
pip compares names. advisor's own built-in plugins are known by name, module and
distribution, so no other distribution can pass for one. This module stays light (no
pluggy, no plugin module): ``advisor decide`` asks it whether loading plugins could
change its output before paying for them.
"""

from __future__ import annotations

import os
import re
import sys

from .entrypoints import EntryPoint, entry_points

GROUP = "advisor"
LOAD_ENV = "ADVISOR_LOAD_PLUGINS"
# The distribution advisor itself ships in, and its built-in plugins (entry point ->
# module, as pyproject.toml declares them): only these can never be displaced by name.
CORE_DISTRIBUTION = "llm-advisor"
BUILTINS = {
    "hf-lora": "advisor_hf_lora",
    "openai-finetune": "advisor_openai_finetune",
    "weaviate-rag": "advisor_weaviate_rag",
}


def wanted_plugins() -> set[str] | None:
    """``ADVISOR_LOAD_PLUGINS`` as normalised names; None when unset (load everything)."""
    raw = os.environ.get(LOAD_ENV)
    if raw is None:
        return None
    return {normalise(part) for part in raw.split(",") if part.strip()}


def normalise(name: str) -> str:
    """Compare names the way pip does: case-insensitive, ``-``, ``_`` and ``.`` alike."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def selected(ep: EntryPoint, wanted: set[str]) -> bool:
    """Whether ``ADVISOR_LOAD_PLUGINS`` (as ``wanted``) names this entry point or its dist."""
    return normalise(ep.name) in wanted or normalise(ep.dist) in wanted


def is_builtin(ep: EntryPoint) -> bool:
    """One of advisor's own plugins, declared by advisor's own distribution."""
    return normalise(ep.dist) == CORE_DISTRIBUTION and BUILTINS.get(ep.name) == ep.value


def may_price_options() -> bool:
    """Whether a plugin could add a cost option (``register_cost_options``).

    True when a plugin manager is already in use in this process, or when a plugin that
    is not one of advisor's built-ins (they add none) is installed and
    ``ADVISOR_LOAD_PLUGINS`` allows it. So ``advisor decide`` loads plugins only where
    one of them may change its costs table.
    """
    manager = sys.modules.get("advisor.plugins")
    if manager is not None and manager._current is not None:
        return True
    wanted = wanted_plugins()
    if wanted == set():
        return False
    return any(
        not is_builtin(ep) and (wanted is None or selected(ep, wanted))
        for ep in entry_points(GROUP)
    )
