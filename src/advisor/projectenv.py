"""A generated project's own settings: its ``.env`` and the answers in its ``.advisor.yml``.

``advisor doctor`` run inside a generated project (or with ``--project DIR``) checks what
that project will use, so it reads the project's ``.env`` (the file the starter itself
loads) and the ``deployment`` recorded in ``.advisor.yml``. Parsing is deliberately
small: ``KEY=VALUE`` lines as python-dotenv reads them in the common cases (``export``,
quotes, ``#`` comments), without variable expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .i18n import N_
from .i18n import gettext as _

RECORD = ".advisor.yml"
ENV_FILE = ".env"
MAX_BYTES = 1_000_000
_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")


@dataclass(frozen=True)
class Project:
    """A generated project's folder, its ``.env`` values and its recorded answers."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    answers: dict[str, object] = field(default_factory=dict)

    @property
    def env_path(self) -> Path:
        return self.root / ENV_FILE

    @property
    def record_path(self) -> Path:
        return self.root / RECORD


def find_project(start: Path) -> Path | None:
    """The nearest folder from ``start`` upwards that holds a ``.advisor.yml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / RECORD).is_file():
            return folder
    return None


def load_project(root: Path, option: str = "--project") -> Project:
    """Read ``root``'s ``.env`` (if any) and the answers of its ``.advisor.yml`` (if any)."""
    if not root.is_dir():
        raise InputError(_("{option} {path}: not a folder").format(option=option, path=root))
    if not (root / RECORD).is_file() and not (root / ENV_FILE).is_file():
        raise InputError(
            _("{option} {path}: not a generated project (neither {record} nor {env} found)")
            .format(option=option, path=root, record=RECORD, env=ENV_FILE)
        )
    env_path = root / ENV_FILE
    env = parse_env(_read(env_path)) if env_path.is_file() else {}
    answers: dict[str, object] = {}
    if (root / RECORD).is_file():
        answers = _record_answers(root / RECORD)
    return Project(root.resolve(), env, answers)


def parse_env(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines into a mapping; blank lines, comments and other lines ignored."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            continue
        key, raw = match.group(1), match.group(2).strip()
        if raw[:1] in ("'", '"') and raw.count(raw[0]) >= 2:
            raw = raw[1 : raw.index(raw[0], 1)]
        else:
            raw = raw.split(" #", 1)[0].strip()
        values[key] = raw
    return values


def _read(path: Path) -> str:
    from .inputfiles import read_limited

    try:
        return read_limited(path, N_("settings file"), MAX_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(_("{path}: not UTF-8 text").format(path=path)) from None


def _record_answers(path: Path) -> dict[str, object]:
    import yaml

    try:
        data = yaml.safe_load(_read(path))
    except (yaml.YAMLError, ValueError):
        raise InputError(_("{path}: not valid YAML").format(path=path)) from None
    answers = data.get("answers") if isinstance(data, dict) else None
    return dict(answers) if isinstance(answers, dict) else {}
