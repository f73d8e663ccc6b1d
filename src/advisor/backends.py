"""What a backend plugin registers: how a recommendation becomes files in a starter.

A backend is data plus one optional function. The scaffold engine reads these fields to
compose the shared starter skeleton (``templates/starter``) with each chosen backend's
own files, so two backends never write the same shared file (README, pyproject,
``.env.example``...): they contribute to it instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .questionnaire import Question

Approach = Literal["rag", "fine-tune"]
APPROACHES: tuple[Approach, ...] = ("rag", "fine-tune")
# The ``deployment`` answer's levels; "self-hosted" and "air-gapped" keep every model and
# database on the team's own infrastructure (docs/deployment.md).
DEPLOYMENTS: tuple[str, ...] = ("api", "self-hosted", "air-gapped")


@dataclass(frozen=True)
class EnvVar:
    """A setting the generated project reads from the environment or ``.env``.

    ``example`` goes into ``.env.example``; for a ``secret`` it must be a placeholder,
    never a real value. ``local`` replaces it when the ``deployment`` answer is
    ``self-hosted`` or ``air-gapped``: an endpoint on the team's own infrastructure, never
    a provider's. ``deployments`` limits the variable to those levels (an offline switch
    only an air-gapped project needs); empty, it is written for every level.
    """

    name: str
    description: str
    example: str = ""
    secret: bool = False
    local: str | None = None
    deployments: tuple[str, ...] = ()

    def example_for(self, deployment: str) -> str:
        """The value ``.env.example`` shows for this ``deployment``."""
        if deployment != "api" and self.local is not None:
            return self.local
        return self.example

    def applies_to(self, deployment: str) -> bool:
        """Whether a project with this ``deployment`` gets the variable at all."""
        return not self.deployments or deployment in self.deployments


@dataclass(frozen=True)
class ScaffoldContext:
    """What a backend's :attr:`Backend.extra_context` step is handed."""

    project_name: str
    package: str
    answers: Mapping[str, Any]
    backends: tuple[str, ...]
    approaches: tuple[str, ...]
    decision: Mapping[str, Any] | None = None
    deployment: str = "api"


@dataclass(frozen=True)
class Backend:
    """A backend: the files and contributions that turn an approach into a starter.

    ``template_dir`` holds ``files/`` (rendered into the project root; file and folder
    names may use ``{{ package }}``) and optionally ``readme.md`` (a Jinja fragment
    rendered into the starter's README). Code goes under ``src/{{ package }}/<own
    subpackage>/`` so backends compose without clashing.

    The tuples are contributions to shared files:

    - ``dependencies`` / ``dev_dependencies``: requirement strings for ``pyproject.toml``;
    - ``env``: variables for ``.env.example`` and the README's configuration table;
    - ``gitignore``: extra ``.gitignore`` lines;
    - ``commands``: modules (dotted, relative to the package) exposing
      ``register(cli: click.Group) -> None``, wired into the starter's CLI;
    - ``eval_systems``: modules exposing ``systems() -> dict[str, System]``, the things
      the starter's ``evaluate`` command compares side by side;
    - ``next_steps``: shell commands printed after scaffolding.

    ``include`` lists more template directories whose ``files/`` are rendered too: pieces
    several backends share (both fine-tuning backends use ``templates/parts/chatdata``).
    Two backends rendering the same path with identical content is not a conflict.

    ``provider`` names an entry in the provider-status data (e.g. ``openai-fine-tuning``)
    so the advisor can warn when that provider is winding a service down.
    ``extra_context`` is the backend's scaffold step: it receives a
    :class:`ScaffoldContext` and returns extra template variables (or raises
    :class:`advisor.api.InputError` for answers it cannot accept).
    """

    name: str
    approaches: tuple[Approach, ...]
    description: str
    template_dir: Path
    questions: tuple[Question, ...] = ()
    include: tuple[Path, ...] = ()
    dependencies: tuple[str, ...] = ()
    dev_dependencies: tuple[str, ...] = ()
    env: tuple[EnvVar, ...] = ()
    gitignore: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    eval_systems: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    provider: str | None = None
    extra_context: Callable[[ScaffoldContext], Mapping[str, Any]] | None = field(
        default=None, compare=False
    )

    def __post_init__(self) -> None:
        unknown = [a for a in self.approaches if a not in APPROACHES]
        if not self.approaches or unknown:
            raise ValueError(
                f"backend {self.name!r}: approaches must be a non-empty subset of "
                f"{APPROACHES}, got {self.approaches!r}"
            )


class Backends(dict[str, Backend]):
    """Usable backends by name, plus why each left-out name was left out.

    ``refused`` maps a name some plugin registered but that cannot be used (two plugins
    claim it, or it breaks the rules) to the reason, so ``--backend NAME`` can say why
    instead of "unknown backend".
    """

    def __init__(
        self, found: Mapping[str, Backend] | None = None, refused: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(found or {})
        self.refused = dict(refused or {})
