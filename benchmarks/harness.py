"""Timing helpers shared by the benchmarks: repeat, take the median, compare in one run.

Every number a benchmark reports is a ratio against a baseline measured in the same run on
the same machine, so a slow or busy machine changes both sides alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Timing:
    name: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def row(self, baseline: Timing | None = None) -> str:
        ratio = f"{self.median / baseline.median:6.2f}x" if baseline else "      -"
        return (
            f"{self.name:<44} {self.median * 1000:9.1f} {min(self.samples) * 1000:9.1f} "
            f"{max(self.samples) * 1000:9.1f} {ratio}"
        )


def time_call(name: str, fn: Callable[[], object], runs: int, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


def time_command(name: str, argv: Sequence[str], runs: int, **kwargs: object) -> Timing:
    def run() -> None:
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
        )  # type: ignore[arg-type]

    return time_call(name, run, runs)


def table(title: str, timings: Sequence[Timing], baseline: Timing | None) -> str:
    head = f"{'':<44} {'median ms':>9} {'min ms':>9} {'max ms':>9} {'ratio':>7}"
    lines = [f"\n## {title} (ratio against: {baseline.name if baseline else '-'})", head]
    lines += [t.row(baseline) for t in timings]
    return "\n".join(lines)


@dataclass
class Target:
    """A target: ``measured <= limit`` (or ``>=`` when ``at_least``)."""

    label: str
    measured: float
    limit: float
    at_least: bool = False

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def line(self) -> str:
        op = ">=" if self.at_least else "<="
        mark = "ok  " if self.met else "MISS"
        return f"  [{mark}] {self.label}: {self.measured:.2f} (target {op} {self.limit:g})"
