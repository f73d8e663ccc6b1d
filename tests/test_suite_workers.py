"""``-n auto`` starts one worker more than there are cores (tests/conftest.py says why)."""

from __future__ import annotations

import conftest
import pytest


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
