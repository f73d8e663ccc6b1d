"""Preflight checks that plugins contribute to ``advisor doctor``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "warn", "fail", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: a status, one line saying why, and how to fix it."""

    status: Status
    summary: str
    fix: str = ""


@dataclass(frozen=True)
class Check:
    """A named check. ``run`` receives the effective settings and returns a result.

    Checks that depend on another one (no key -> no API call) read the settings and
    return ``skipped`` themselves; every network call must carry a short timeout.
    """

    name: str
    run: Callable[[Any], CheckResult]
    backend: str | None = None
