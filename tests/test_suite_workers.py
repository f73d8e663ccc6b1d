"""How the suite is spread over xdist's workers (tests/conftest.py says why).

``-n auto`` starts one worker more than there are cores, and the ``slow`` tests go first,
handed out one at a time (``--maxschedchunk 1``), so they spread over the workers.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def counted(count: int) -> int:
    """What the wrapper makes of xdist's own ``count``."""
    wrapper = conftest.pytest_xdist_auto_num_workers(None)
    next(wrapper)
    with pytest.raises(StopIteration) as done:
        wrapper.send(count)
    return done.value.value


def test_auto_starts_one_worker_more_than_xdists_count(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    assert counted(2) == 3
    assert counted(16) == 17


def test_the_environment_variable_still_sets_the_number_exactly(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "2")
    assert counted(2) == 2


class Item:
    def __init__(self, name: str, slow: bool) -> None:
        self.name, self.slow = name, slow

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


def ordered(config: object) -> list[str]:
    items = [Item("a", False), Item("b", True), Item("c", False), Item("d", True)]
    conftest.pytest_collection_modifyitems(config, items)
    return [item.name for item in items]


def test_on_a_worker_the_slow_tests_go_first_in_their_order():
    assert ordered(SimpleNamespace(workerinput={"workerid": "gw0"})) == ["b", "d", "a", "c"]


def test_without_xdist_the_order_stays_as_collected():
    assert ordered(SimpleNamespace()) == ["a", "b", "c", "d"]


def test_tests_are_handed_out_one_at_a_time():
    """In chunks, every slow test near the front would go to the first worker."""
    addopts = tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["pytest"]["ini_options"]
    options = addopts["addopts"].split()
    assert options[options.index("--maxschedchunk") + 1] == "1"
    assert options[options.index("-n") + 1] == "auto"
