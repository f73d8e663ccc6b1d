"""Shared test configuration: hypothesis profiles sized for CI and for nightly runs,
fresh gettext catalogs, and English as every test's starting language.

``HYPOTHESIS_PROFILE=nightly pytest`` runs the property tests with many more examples.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from advisor import i18n

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))
from hatch_build import compile_catalogs  # noqa: E402 - the build hook's own function

settings.register_profile(
    "ci", max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("nightly", max_examples=2000, deadline=5000)
settings.register_profile("dev", max_examples=20, deadline=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """Compile the gettext catalogs first, so no test reads a ``.mo`` older than its ``.po``."""
    compile_catalogs(ROOT)


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English whatever the machine's locale; tests of other
    languages set ``ADVISOR_LANG``/``--lang`` themselves (or delete this variable)."""
    monkeypatch.setenv("ADVISOR_LANG", "en")
    i18n.reset()
    yield
    i18n.reset()
