"""The evaluation contract every starter shares: a *system* answers a question.

Each starter's ``src/<package>/evaluation.py`` defines these same two names (a generated
project does not depend on advisor); a backend's ``eval_systems`` modules return
``dict[str, System]`` from ``systems()``. They are here so a plugin's own tests and type
hints can name the contract without a generated project (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Prediction:
    """What a system answers: the text, and the file names it drew on (retrieval hit rate)."""

    answer: str
    sources: list[str] = field(default_factory=list)


System = Callable[[str], Prediction]
