"""Fixtures shared by the settings and doctor tests: a clean environment and the checks.

Settings read the real environment, ``./advisor.toml`` and the user's config file, so
every test here starts from none of them. The backends' check modules are registered
through a test plugin (the only plugin loaded), exactly as their plugins register them.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pytest_httpserver import HTTPServer

from advisor import plugins as plugin_manager
from advisor.api import hookimpl

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WEAVIATE_URL", "WEAVIATE_API_KEY")


def check_modules() -> tuple[ModuleType, ModuleType]:
    """The two backends' ``checks`` modules, from the installed plugins or ``plugins/``."""
    try:
        openai_checks = importlib.import_module("advisor_openai_finetune.checks")
    except ModuleNotFoundError:
        sys.path.insert(0, str(ROOT / "plugins"))
        openai_checks = importlib.import_module("advisor_openai_finetune.checks")
    weaviate_checks = importlib.import_module("advisor_weaviate_rag.checks")
    return openai_checks, weaviate_checks


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No provider or ADVISOR_ variables, an empty cwd, a user config path in tmp."""
    for name in list(os.environ):
        if name.upper().startswith("ADVISOR_") or name.upper() in PROVIDER_VARS:
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user" / "config.toml"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


class ChecksPlugin:
    """A plugin that contributes both backends' checks, as their ``__init__`` will."""

    def __init__(self) -> None:
        self.modules = check_modules()

    @hookimpl
    def register_doctor_checks(self, register):  # type: ignore[no-untyped-def]
        for module in self.modules:
            module.register_all(register)


@pytest.fixture
def doctor_checks(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only the test plugin is loaded: the backends' checks, nothing installed."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.setenv("ADVISOR_TIMEOUT_S", "0.5")
    plugin_manager.reset()
    plugins = plugin_manager.get_plugins()
    plugins.add(ChecksPlugin(), "doctor-checks")
    yield
    plugins.remove("doctor-checks")
    plugin_manager.reset()


@pytest.fixture
def local_http() -> Iterator[HTTPServer]:
    """An HTTP server on 127.0.0.1 (pytest-httpserver), for the fake REST APIs."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()
