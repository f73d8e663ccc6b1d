"""Shared test configuration: hypothesis profiles sized for CI and for nightly runs,
fresh gettext catalogs, and English as every test's starting language.

``HYPOTHESIS_PROFILE=nightly pytest`` runs the property tests with many more examples.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
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


@pytest.hookimpl(wrapper=True, optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """``-n auto``: one worker more than xdist's own count (one per core).

    The slowest tests run a starter's suite in a subprocess, and nearly half of such a run
    is waiting (weaviate's batch import waits a second for more objects at the end of
    every ``ingest``; the fakes answer over sockets): the extra worker uses a core that
    would stand idle meanwhile (measured in docs/performance.md).
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still sets the number exactly.
    """
    count = yield
    return count if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else count + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the ``slow`` tests (each runs a whole starter suite) go first.

    With ``--maxschedchunk 1`` (``pyproject.toml``) xdist hands out tests one at a time, so
    the long ones start early on different workers while the others take the short tests;
    last in the order, the update test alone ran for two minutes after all else was done.
    xdist's default chunks (a quarter of each worker's share) put every early slow test on
    the first worker, one after another, which is why moving them first used to make the
    suite slower. Without xdist the order stays as collected.
    """
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
