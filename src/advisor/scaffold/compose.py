"""How backends' contributions merge into the skeleton's shared files.

Backends never write ``pyproject.toml``, ``.env.example``, ``.gitignore`` or the CLI's
command list themselves: they declare contributions on their :class:`Backend`, and this
module merges them (skeleton first, then backends in name order) into one deduplicated
list per shared file, which the skeleton's templates render. See docs/scaffold.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..backends import DEPLOYMENTS, Backend, EnvVar
from ..errors import ScaffoldError

SKELETON_DEPENDENCIES = ("click>=8.1", "pydantic-settings>=2.4", "python-dotenv>=1.0")
SKELETON_DEV_DEPENDENCIES = ("pytest>=8", "ruff>=0.6")
SKELETON_GITIGNORE = (
    "__pycache__/",
    "*.py[cod]",
    "*.egg-info/",
    "build/",
    "dist/",
    ".venv/",
    "venv/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".env",
    "results.json",
)

_REQUIREMENT = re.compile(
    r"""^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*
    (?:\[(?P<extras>[^\]]*)\])?\s*
    (?P<spec>[^;]*?)\s*
    (?:;\s*(?P<marker>.+?))?\s*$""",
    re.VERBOSE,
)
_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", re.ASCII)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


@dataclass(frozen=True)
class Contributions:
    """Every shared-file contribution, merged: what the skeleton's templates iterate."""

    dependencies: tuple[str, ...]
    dev_dependencies: tuple[str, ...]
    env: tuple[EnvVar, ...]
    gitignore: tuple[str, ...]
    commands: tuple[str, ...]
    eval_systems: tuple[str, ...]


def merge_contributions(backends: Sequence[Backend], deployment: str = "api") -> Contributions:
    """Merge the skeleton's own entries with each backend's, refusing malformed ones.

    ``env`` holds the variables a project with this ``deployment`` reads, each with the
    example for that level (:meth:`EnvVar.example_for`): a self-hosted project's
    ``.env.example`` names only endpoints on the team's own infrastructure.
    """
    for backend in backends:
        _check_backend(backend)
    return Contributions(
        dependencies=merge_requirements(
            [("starter skeleton", r) for r in SKELETON_DEPENDENCIES]
            + [(b.name, r) for b in backends for r in b.dependencies]
        ),
        dev_dependencies=merge_requirements(
            [("starter skeleton", r) for r in SKELETON_DEV_DEPENDENCIES]
            + [(b.name, r) for b in backends for r in b.dev_dependencies]
        ),
        env=tuple(
            replace(var, example=var.example_for(deployment))
            for var in merge_env(var for b in backends for var in b.env)
            if var.applies_to(deployment)
        ),
        gitignore=_unique([*SKELETON_GITIGNORE, *(line for b in backends for line in b.gitignore)]),
        commands=_unique(m for b in backends for m in b.commands),
        eval_systems=_unique(m for b in backends for m in b.eval_systems),
    )


# Distributions imported under another name than their own (``weaviate-client`` is
# ``import weaviate``), and what every starter's tests and tools import besides its
# declared dependencies: a project package with one of these names would shadow it.
_IMPORT_NAMES = {
    "weaviate-client": "weaviate",
    "python-dotenv": "dotenv",
    "pyyaml": "yaml",
    "psycopg-binary": "psycopg",
    "scikit-learn": "sklearn",
    "pillow": "PIL",
    "beautifulsoup4": "bs4",
}
_ALWAYS_IMPORTED = ("pytest", "_pytest", "pluggy", "pydantic", "pydantic_core", "ruff")


def dependency_modules(backends: Sequence[Backend]) -> frozenset[str]:
    """The top-level modules a project made with ``backends`` imports from its dependencies."""
    contributions = merge_contributions(backends)
    modules = set(_ALWAYS_IMPORTED)
    for requirement in (*contributions.dependencies, *contributions.dev_dependencies):
        match = _REQUIREMENT.match(requirement)
        if match is not None:
            name = re.sub(r"[-_.]+", "-", match["name"]).lower()
            modules.add(_IMPORT_NAMES.get(name, name.replace("-", "_")))
    return frozenset(modules)


def merge_requirements(requirements: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """One requirement per project (and environment marker), first-seen order.

    ``("openai>=1.40", "OpenAI[foo] >= 1.66")`` becomes ``openai[foo]>=1.40,>=1.66``: pip
    reads comma-joined specifiers as "all of these", the same as two separate lines, and
    the file stays readable. ``requirements`` pairs each string with who contributed it.
    """
    merged: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {}
    for owner, text in requirements:
        match = _REQUIREMENT.match(text)
        if match is None or "\n" in text:
            raise ScaffoldError(f"backend {owner}: {text!r} is not a requirement string")
        key = (
            re.sub(r"[-_.]+", "-", match["name"]).lower(),
            " ".join((match["marker"] or "").split()),
        )
        name, extras, specs = merged.setdefault(key, (match["name"], [], []))
        extras.extend(e.strip() for e in (match["extras"] or "").split(",") if e.strip())
        specs.extend("".join(s.split()) for s in match["spec"].split(",") if s.strip())
    lines = []
    for (_, marker), (name, extras, specs) in merged.items():
        line = name
        if extras:
            line += "[" + ",".join(sorted(set(extras))) + "]"
        if specs and specs[0].startswith("@"):
            line += " " + specs[0]
        else:
            line += ",".join(_unique(specs))
        if marker:
            line += "; " + marker
        lines.append(line)
    return tuple(lines)


def merge_env(variables: Iterable[EnvVar]) -> tuple[EnvVar, ...]:
    """One entry per variable name; the first declaration's text wins, secret if any says so.

    Two backends may both read ``OPENAI_API_KEY``; the project needs it once.
    """
    merged: dict[str, EnvVar] = {}
    for var in variables:
        first = merged.get(var.name)
        if first is None:
            merged[var.name] = var
        elif var.secret and not first.secret:
            merged[var.name] = replace(first, secret=True)
    return tuple(merged.values())


def _check_backend(backend: Backend) -> None:
    for module in (*backend.commands, *backend.eval_systems):
        if not _MODULE.fullmatch(module):
            raise ScaffoldError(
                f"backend {backend.name}: {module!r} is not a dotted module name "
                "(commands and eval_systems are modules relative to the package)"
            )
    for var in backend.env:
        text = var.example + var.description + (var.local or "")
        if not _ENV_NAME.fullmatch(var.name) or "\n" in text:
            raise ScaffoldError(
                f"backend {backend.name}: env {var.name!r} needs a NAME of letters, digits "
                "and _ and a one-line description and example"
            )
        unknown = [d for d in var.deployments if d not in DEPLOYMENTS]
        if unknown:
            raise ScaffoldError(
                f"backend {backend.name}: env {var.name!r}: deployments {unknown!r} "
                f"(allowed: {', '.join(DEPLOYMENTS)})"
            )
    for line in backend.gitignore:
        if "\n" in line or "\r" in line:
            raise ScaffoldError(f"backend {backend.name}: gitignore entry {line!r} spans lines")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
