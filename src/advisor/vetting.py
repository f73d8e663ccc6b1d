"""The rules for what plugins register, checked before anything uses it.

A mistake in a plugin's data (a backend name with a space, a requirement pip cannot
read, a ``template_dir`` that is not there) would otherwise surface much later, inside a
generated project that cannot install or start. Each function here returns the problems
it finds as short phrases (field, value, what is allowed); the plugin manager prefixes
the plugin and the backend and reports each one as a one-line warning, or an error
under strict mode. The same question rules hold for ``register_questions`` and for
``Backend.questions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .backends import Backend, EnvVar
from .errors import InputError
from .i18n import N_, SOURCE_LANGUAGE, Catalog, using
from .links import refusal, symlinks_in
from .messages import Message
from .questionnaire import CORE_QUESTIONS, Question, coerce

BACKEND_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
QUESTION_KEY = re.compile(r"[a-z][a-z0-9_]*")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
KINDS = ("choice", "int", "number", "bool", "str")
# A run of letters and digits this long, mixing both, is a token, not a placeholder.
KEY_LIKE = re.compile(r"(?=[A-Za-z0-9_]{16,})(?=[A-Za-z0-9_]*[0-9])(?=[A-Za-z0-9_]*[A-Za-z])")
MAX_NAME = 40


def backend_problems(backend: Backend) -> list[str]:
    """Everything wrong with ``backend``; an empty list when it can be used."""
    problems: list[str] = []
    if not isinstance(backend.name, str) or not _fits(BACKEND_NAME, backend.name, MAX_NAME):
        problems.append(
            Message(
                N_(
                    "name {name} is not allowed (allowed: lowercase letters and digits in words "
                    "joined by single hyphens, at most {longest} characters, e.g. my-rag)"
                ),
                name=repr(backend.name),
                longest=MAX_NAME,
            )
        )
    if not _one_line(backend.description):
        problems.append(
            Message(
                N_("description {text} must be one non-empty line"),
                text=repr(backend.description),
            )
        )
    problems += _folder_problems("template_dir", backend.template_dir, readme_ok=True)
    for extra in backend.include:
        problems += _folder_problems("include", extra, readme_ok=False)
    for question in backend.questions:
        problems += [
            Message(N_("question {problem}"), problem=p) for p in question_problems(question)
        ]
    for field in ("dependencies", "dev_dependencies"):
        problems += [
            Message(N_("{field}: {problem}"), field=field, problem=p)
            for p in requirement_problems(getattr(backend, field))
        ]
    for var in backend.env:
        problems += env_problems(var)
    for field, pattern in (("commands", MODULE), ("eval_systems", MODULE)):
        for module in getattr(backend, field):
            if not isinstance(module, str) or not pattern.fullmatch(module):
                problems.append(
                    Message(
                        N_(
                            "{field}: {module} is not a dotted module name relative to the "
                            "package (allowed: e.g. my_rag.commands)"
                        ),
                        field=field,
                        module=repr(module),
                    )
                )
    for field in ("gitignore", "next_steps"):
        for line in getattr(backend, field):
            if not _one_line(line):
                problems.append(
                    Message(
                        N_("{field}: {text} must be one non-empty line"),
                        field=field,
                        text=repr(line),
                    )
                )
    if backend.provider is not None and not isinstance(backend.provider, str):
        problems.append(
            Message(
                N_("provider {provider} must be a provider key or None"),
                provider=repr(backend.provider),
            )
        )
    if backend.extra_context is not None and not callable(backend.extra_context):
        problems.append(
            Message(
                N_("extra_context {value} must be callable or None"),
                value=repr(backend.extra_context),
            )
        )
    return problems


def question_problems(question: Question) -> list[str]:
    """What is wrong with a question a plugin registers (key, kind, choices, default)."""
    key = question.key
    if not isinstance(key, str) or not _fits(QUESTION_KEY, key, MAX_NAME):
        return [
            Message(
                N_(
                    "key {key} is not allowed (allowed: lowercase letters, digits and _, "
                    "starting with a letter, e.g. data_residency)"
                ),
                key=repr(key),
            )
        ]
    if key in {q.key for q in CORE_QUESTIONS}:
        return [
            Message(
                N_("{key} is advisor's own question key (allowed: a key the core does not use)"),
                key=repr(key),
            )
        ]
    if question.kind not in KINDS:
        return [
            Message(
                N_("{key}: kind {kind} is not allowed (allowed: {allowed})"),
                key=repr(key),
                kind=repr(question.kind),
                allowed=", ".join(KINDS),
            )
        ]
    problems: list[str] = []
    if question.kind == "choice":
        choices = question.choices
        if not choices or not all(isinstance(c, str) and _one_line(c) for c in choices):
            problems.append(
                Message(
                    N_("{key}: choices {choices} must be one or more one-line strings"),
                    key=repr(key),
                    choices=repr(choices),
                )
            )
        elif len(set(choices)) != len(choices):
            problems.append(
                Message(
                    N_("{key}: choices {choices} repeat a value"),
                    key=repr(key),
                    choices=repr(choices),
                )
            )
    elif question.choices:
        problems.append(
            Message(
                N_("{key}: choices are only for kind 'choice', not {kind}"),
                key=repr(key),
                kind=repr(question.kind),
            )
        )
    low, high = question.minimum, question.maximum
    if low is not None and high is not None and low > high:
        problems.append(
            Message(
                N_("{key}: minimum {low} is above maximum {high}"),
                key=repr(key),
                low=repr(low),
                high=repr(high),
            )
        )
    if not problems and not question.required:
        try:
            with using(SOURCE_LANGUAGE):  # what plugins report stays English in JSON
                coerce(question, question.default, "default")
        except InputError as exc:
            problems.append(f"{key!r}: default {exc.message.removeprefix(f'default: {key}: ')}")
    return problems


def catalog_problems(catalog: Catalog) -> list[str]:
    """What is wrong with a plugin's catalog: a domain gettext can use, a folder that
    holds that domain's compiled catalog for at least one language."""
    domain, folder = catalog.domain, catalog.directory
    if not isinstance(domain, str) or not _fits(QUESTION_KEY, domain, MAX_NAME):
        return [
            Message(
                N_(
                    "catalog domain {domain} is not allowed (allowed: lowercase letters, "
                    "digits and _, starting with a letter, e.g. advisor_pgvector)"
                ),
                domain=repr(domain),
            )
        ]
    if not isinstance(folder, Path):
        return [
            Message(
                N_("catalog {domain}: directory {folder} must be a pathlib.Path"),
                domain=domain,
                folder=repr(folder),
            )
        ]
    if not any(folder.glob(f"*/LC_MESSAGES/{domain}.mo")):
        return [
            Message(
                N_(
                    "catalog {domain}: {folder} holds no <lang>/LC_MESSAGES/{domain}.mo "
                    "(compile the .po files: docs/i18n.md)"
                ),
                domain=domain,
                folder=folder,
            )
        ]
    return []


def requirement_problems(requirements: Iterable[str]) -> list[str]:
    """Requirement strings that are not PEP 508 (what pip reads in ``pyproject.toml``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    problems = []
    for text in requirements:
        try:
            if not isinstance(text, str) or not _one_line(text):
                raise InvalidRequirement("not a one-line string")
            Requirement(text)
        except InvalidRequirement:
            problems.append(
                Message(
                    N_(
                        "{text} is not a PEP 508 requirement (allowed: e.g. "
                        "'psycopg[binary]>=3.2')"
                    ),
                    text=repr(text),
                )
            )
    return problems


def env_problems(var: EnvVar) -> list[str]:
    """A variable's name, its one-line texts, and for a secret a placeholder example."""
    if not isinstance(var.name, str) or not ENV_NAME.fullmatch(var.name):
        return [
            Message(
                N_(
                    "env {name} is not allowed (allowed: uppercase letters, digits and _, "
                    "starting with a letter)"
                ),
                name=repr(var.name),
            )
        ]
    problems: list[str] = []
    if not _one_line(var.description):
        problems.append(
            Message(
                N_("env {name}: description {text} must be one line"),
                name=var.name,
                text=repr(var.description),
            )
        )
    if not isinstance(var.example, str) or "\n" in var.example or "\r" in var.example:
        problems.append(
            Message(
                N_("env {name}: example {text} must be one line"),
                name=var.name,
                text=repr(var.example),
            )
        )
    elif var.secret and KEY_LIKE.search(var.example):
        problems.append(
            Message(
                N_(
                    "env {name}: the example of a secret looks like a real key (allowed: an "
                    "empty string or a placeholder such as 'sk-...' or 'change-me')"
                ),
                name=var.name,
            )
        )
    return problems


def _folder_problems(field: str, folder: Any, *, readme_ok: bool) -> list[str]:
    if not isinstance(folder, Path):
        return [
            Message(N_("{field} {folder} must be a pathlib.Path"), field=field, folder=repr(folder))
        ]
    if not folder.is_dir():
        return [Message(N_("{field} {folder} is not a folder"), field=field, folder=folder)]
    usable = (folder / "files").is_dir() or (readme_ok and (folder / "readme.md").is_file())
    if not usable:
        holds = "files/ or readme.md" if readme_ok else "files/"
        return [
            Message(
                N_("{field} {folder} holds no {holds} (see docs/scaffold.md)"),
                field=field,
                folder=folder,
                holds=holds,
            )
        ]
    return [f"{field}: {refusal(link)}" for link in symlinks_in(folder)]


def _fits(pattern: re.Pattern[str], text: str, longest: int) -> bool:
    return len(text) <= longest and pattern.fullmatch(text) is not None


def _one_line(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip()) and not any(c in text for c in "\r\n")
