"""The evaluation contract every starter shares: a *system* answers a question.

Each starter's ``src/<package>/evaluation.py`` defines these same names (a generated
project does not depend on advisor); a backend's ``eval_systems`` modules return
``dict[str, System]`` from ``systems()``. They are here so a plugin's own tests and type
hints can name the contract without a generated project (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Usage:
    """The tokens one API call reported, and the model that spent them (for cost per 1k)."""

    model: str
    input_tokens: int
    output_tokens: int = 0
    kind: str = "chat"  # "chat" or "embedding": they are priced differently


@dataclass
class Prediction:
    """What a system answers: the text, the file names it drew on (retrieval hit rate) and
    the usage its API calls reported (``evaluate`` adds calls made through the starter's
    ``record_usage`` itself, so a system rarely fills it in)."""

    answer: str
    sources: list[str] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)


System = Callable[[str], Prediction]
