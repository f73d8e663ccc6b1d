"""Calling plugin code with a deadline, so one hung plugin cannot hang every command.

A hook or a doctor check runs in a daemon thread; the caller waits at most ``seconds``
for it. Python cannot stop a thread, so one that overruns is left behind (it dies with
the process) and whatever it does later is ignored. Anything it raises, ``SystemExit``
and ``KeyboardInterrupt`` included, is handed back rather than raised: plugin code
never decides whether advisor exits. A real Ctrl-C still reaches the main thread, which
is the one waiting.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from .errors import InputError
from .i18n import gettext as _

T = TypeVar("T")

HOOK_TIMEOUT_ENV = "ADVISOR_HOOK_TIMEOUT"
CHECK_TIMEOUT_ENV = "ADVISOR_CHECK_TIMEOUT"
DEFAULT_HOOK_TIMEOUT_S = 10.0
DEFAULT_CHECK_TIMEOUT_S = 30.0


class Outcome(NamedTuple, Generic[T]):
    """What a call did: returned ``value``, raised ``error``, or was still running."""

    value: T | None = None
    error: BaseException | None = None
    timed_out: bool = False


def call_with_timeout(function: Callable[[], T], seconds: float, name: str) -> Outcome[T]:
    """Run ``function()`` in a daemon thread named ``name``; wait at most ``seconds``."""
    result: list[Outcome[T]] = []

    def run() -> None:
        try:
            result.append(Outcome(value=function()))
        except BaseException as exc:  # plugin code: report it, whatever it is
            result.append(Outcome(error=exc))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive() or not result:
        return Outcome(timed_out=True)
    return result[0]


def timeout_from_env(variable: str, default: float) -> float:
    """Seconds from ``variable`` (a number > 0), or ``default`` when it is unset or empty."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise InputError(
            _("{variable} {value}: not usable (allowed: a number of seconds > 0)").format(
                variable=variable, value=repr(raw)
            )
        )
    return seconds
