"""Settings: environment, ``./advisor.toml`` and the user's config file, and where each came from.

Imported only by commands that read settings (``doctor``, ``config``, cost overrides),
never at start-up: pydantic-settings costs about 100 ms to import.

Precedence, highest first: environment variables (``ADVISOR_*`` plus the providers'
usual ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``WEAVIATE_URL``, ``WEAVIATE_API_KEY``),
a generated project's ``.env`` and recorded ``deployment`` (only when ``doctor`` checks a
project), ``./advisor.toml`` in the current directory, then ``config.toml`` in the user's
config directory (``advisor config show`` prints its path), then defaults. Keys are
``SecretStr``: they print as ``**********`` and never reach reports or generated files.

:func:`load_settings` reads the layers itself, rather than letting pydantic-settings merge
them silently, so that ``advisor config show`` can say which layer each value came from
and so that a bad value is reported against the file or variable that holds it.

Plugins keep their settings in ``[plugins.NAME]`` tables (or
``ADVISOR_PLUGINS__NAME__KEY`` variables) and declare them where they read them, with
:meth:`Settings.section`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    create_model,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .errors import InputError
from .i18n import gettext as _
from .locations import PROJECT_CONFIG, user_config_path
from .redaction import SECRET_WORDS, is_secret_name, mask, mask_urls, url_secrets

__all__ = ["SECRET_WORDS", "Settings", "is_secret_name", "load_settings", "mask"]

if TYPE_CHECKING:
    from .projectenv import Project

ENV_PREFIX = "ADVISOR_"
NESTED_DELIMITER = "__"
DEFAULT = "default"

T = TypeVar("T")


def project_config_path() -> Path:
    """``advisor.toml`` in the current directory, made absolute for messages."""
    return Path.cwd() / PROJECT_CONFIG


def _env(name: str) -> AliasChoices:
    return AliasChoices(f"{ENV_PREFIX}{name}", name)


def section_key(name: str) -> str:
    """The one spelling of a plugin section name: ``openai_finetune`` -> ``openai-finetune``.

    Environment variable names cannot hold ``-``, so ``ADVISOR_PLUGINS__OPENAI_FINETUNE__X``
    and ``[plugins.openai-finetune]`` must land in the same section.
    """
    return name.strip().lower().replace("_", "-")




class Settings(BaseSettings):
    """The advisor's effective settings. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        extra="forbid",
        populate_by_name=True,
    )

    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str = Field(
        default="https://api.openai.com/v1", validation_alias=_env("OPENAI_BASE_URL")
    )
    weaviate_url: str | None = Field(default=None, validation_alias=_env("WEAVIATE_URL"))
    weaviate_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("WEAVIATE_API_KEY")
    )
    timeout_s: float = Field(default=5.0, gt=0, description="Timeout for each network check.")
    deployment: Literal["api", "self-hosted", "air-gapped"] = Field(
        default="api",
        description="Where data may go: api (providers' APIs), self-hosted (only the team's "
        "own infrastructure) or air-gapped (self-hosted, nothing downloaded at run time).",
    )
    costs: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the cost model's prices and assumptions ([costs] table).",
    )
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Plugin settings sections ([plugins.NAME] tables)."
    )

    _origins: dict[str, str] = PrivateAttr(default_factory=dict)
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)
    _project: Any = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the constructor is given: :func:`load_settings` has merged the layers."""
        return (init_settings,)

    # --- where values came from --------------------------------------------------------

    def origin(self, key: str) -> str:
        """Where the value at dotted ``key`` came from: ``default``, ``env NAME``, ``file PATH``."""
        return self._origins.get(key, DEFAULT)

    @property
    def project(self) -> Project | None:
        """The generated project being checked (its ``.env``, its record), if any."""
        return self._project  # type: ignore[no-any-return]

    def env_value(self, name: str) -> str | None:
        """A variable the starters read (``HF_LORA_SERVER_URL``...): the environment's, else
        the checked project's ``.env``; None when neither sets it (or sets it empty)."""
        value = os.environ.get(name)
        if value is None and self.project is not None:
            value = self.project.env.get(name)
        return value or None

    def env_origin(self, name: str) -> str:
        """Where :meth:`env_value` found ``name``: ``env NAME`` or ``file PATH/.env``."""
        if os.environ.get(name) is not None or self.project is None:
            return f"env {name}"
        return f"file {self.project.env_path}"

    def secret_values(self) -> list[str]:
        """Every secret's plain value, so output can be scrubbed of them before printing."""
        values = [
            s.get_secret_value()
            for s in (self.openai_api_key, self.weaviate_api_key)
            if s is not None and s.get_secret_value()
        ]
        if self.project is not None:
            values += [v for k, v in self.project.env.items() if v and is_secret_name(k)]
        for table in self.plugins.values():
            for key, value in table.items():
                if is_secret_name(key) and isinstance(value, str) and value:
                    values.append(value)
                elif isinstance(value, str):
                    values.extend(url_secrets(value))
        for url in (self.openai_base_url, self.weaviate_url):
            values.extend(url_secrets(url or ""))
        return values

    # --- plugin sections ---------------------------------------------------------------

    def section(self, name: str, defaults: Mapping[str, Any]) -> Any:
        """A plugin's ``[plugins.NAME]`` table, validated against the keys it declares.

        ``defaults`` maps each key to its default; its type is the default's type (a
        ``None`` default means an optional string, a ``SecretStr`` default an optional
        secret). An unknown key or a value of the wrong type is an :class:`InputError`
        naming the file or variable that holds it. Returns an object with one attribute
        per key.
        """
        key = section_key(name)
        model = _section_model(key, defaults)
        raw = self.plugins.get(key, {})
        unknown = sorted(set(raw) - set(defaults))
        if unknown:
            where = _where(self.origin(f"plugins.{key}.{unknown[0]}"))
            raise InputError(
                _("{where}: unknown key {key} in [{table}] (allowed: {allowed})").format(
                    where=where,
                    key=repr(unknown[0]),
                    table=f"plugins.{key}",
                    allowed=", ".join(sorted(defaults)),
                )
            )
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            raise _input_error(exc, self._origins, prefix=("plugins", key), values=raw) from None

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per loaded settings, shared by the checks of one doctor run.

        Checks of one service share a connection attempt through this (the first check
        that needs it pays for it; a dead endpoint costs one timeout, not one per check).
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _section_model(name: str, defaults: Mapping[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, default in defaults.items():
        if default is None:
            annotation: Any = str | None
        elif isinstance(default, SecretStr):
            annotation = SecretStr | None
        else:
            annotation = type(default)
        fields[key] = (annotation, default)
    return create_model(
        f"PluginSettings[{name}]",
        __config__=ConfigDict(extra="forbid", frozen=True),
        **fields,
    )


# --- reading the layers --------------------------------------------------------------------


def load_settings(*, project: Project | None = None, **overrides: Any) -> Settings:
    """Read environment, ``./advisor.toml`` and the user file; return validated settings.

    ``overrides`` (field name -> value) win over everything and show as ``argument``.
    With a generated ``project``, its ``.env`` (the variables that name settings) and
    its recorded ``deployment`` come after the environment and before the files.
    A malformed file or an invalid value raises :class:`InputError` naming where it is.
    """
    layers: list[tuple[str, dict[str, Any]]] = [("argument", dict(overrides))]
    layers.append(("env", _env_layer()))
    if project is not None:
        layers.append((f"file {project.env_path}", _dotenv_layer(project.env)))
        if "deployment" in project.answers:
            deployment = {"deployment": project.answers["deployment"]}
            layers.append((f"file {project.record_path}", deployment))
    for path in (project_config_path(), user_config_path()):
        layers.append((f"file {path}", _file_layer(path)))

    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for origin, layer in reversed(layers):  # lowest precedence first; later layers win
        for path, value in _leaves(layer):
            _set_path(merged, path, value)
            origins[".".join(path)] = _describe_origin(origin, path)
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise _input_error(exc, origins, prefix=(), values=merged) from None
    settings._origins = origins
    settings._project = project
    return settings


def _dotenv_layer(env: Mapping[str, str]) -> dict[str, Any]:
    """The variables of a project's ``.env`` that name settings; empty values are unset."""
    aliases = _alias_to_field()
    spelled = {  # the providers' own spellings (OPENAI_BASE_URL), but not TIMEOUT_S
        str(choice).lower()
        for info in Settings.model_fields.values()
        if isinstance(info.validation_alias, AliasChoices)
        for choice in info.validation_alias.choices
    }
    layer: dict[str, Any] = {}
    for key, value in env.items():
        lowered = key.lower()
        if lowered.startswith(ENV_PREFIX.lower()):
            name = aliases.get(lowered) or aliases.get(lowered.removeprefix(ENV_PREFIX.lower()))
        else:
            name = aliases.get(lowered) if lowered in spelled else None
        if name is not None and name not in ("costs", "plugins") and value != "":
            layer[name] = value
    return layer


def _env_layer() -> dict[str, Any]:
    """The environment, parsed by pydantic-settings (aliases, ``__`` nesting, JSON tables)."""
    raw = EnvSettingsSource(
        Settings, env_prefix=ENV_PREFIX, env_nested_delimiter=NESTED_DELIMITER
    )()
    return _normalise(raw)


def _file_layer(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            _("{path}: not valid TOML: {problem}").format(path=path, problem=exc)
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            _("{path}: not valid TOML: the file is not UTF-8 text").format(path=path)
        ) from None
    except OSError as exc:
        raise InputError(
            _("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    allowed = _field_names()
    for key in data:
        if key not in allowed:
            raise InputError(
                _("{path}: unknown key {key} (allowed: {allowed})").format(
                    path=path, key=repr(key), allowed=", ".join(sorted(allowed))
                )
            )
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict) or not all(isinstance(t, dict) for t in plugins.values()):
        # Never the value itself: a misplaced table can hold a key.
        if isinstance(plugins, dict):
            bad = next(name for name, table in plugins.items() if not isinstance(table, dict))
            got = f"plugins.{bad}, a {type(plugins[bad]).__name__}"
        else:
            got = f"a {type(plugins).__name__}"
        raise InputError(
            _("{path}: plugins must hold [plugins.NAME] tables, got {got}").format(
                path=path, got=got
            )
        )
    return _normalise(data)


def _field_names() -> set[str]:
    return set(Settings.model_fields)


def _alias_to_field() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        names[name.lower()] = name
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update({str(choice).lower(): name for choice in alias.choices})
    return names


def _normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Field names instead of aliases; one spelling of each plugin section name."""
    aliases = _alias_to_field()
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = aliases.get(key.lower(), key)
        if name == "plugins" and isinstance(value, dict):
            sections: dict[str, Any] = {}
            for section, table in value.items():
                if isinstance(table, dict):
                    sections.setdefault(section_key(section), {}).update(table)
                else:
                    sections[section_key(section)] = table
            value = sections
        out[name] = value
    return out


def _leaves(
    layer: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Each value of a layer with its path; tables of the mergeable fields are walked into."""
    for key, value in layer.items():
        path = (*prefix, key)
        mergeable = path[0] in ("costs", "plugins") and len(path) <= 2
        if isinstance(value, dict) and value and mergeable:
            yield from _leaves(value, path)
        else:
            yield path, value


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        child = target.get(key)
        if not isinstance(child, dict):
            child = target[key] = {}
        target = child
    target[path[-1]] = value


def _describe_origin(origin: str, path: tuple[str, ...]) -> str:
    if origin != "env":
        return origin
    field = Settings.model_fields.get(path[0])
    alias = field.validation_alias if field else None
    if len(path) == 1 and isinstance(alias, AliasChoices):
        present = {name.lower(): name for name in os.environ}
        for choice in alias.choices:
            if str(choice).lower() in present:
                return f"env {present[str(choice).lower()]}"
    name = ENV_PREFIX + NESTED_DELIMITER.join(p.replace("-", "_") for p in path).upper()
    return f"env {name}"


def _input_error(
    exc: ValidationError,
    origins: Mapping[str, str],
    prefix: tuple[str, ...],
    values: Mapping[str, Any],
) -> InputError:
    """The first validation error as one line: where, which key, the value, what is allowed."""
    error = exc.errors()[0]
    loc = tuple(str(part) for part in error["loc"])
    key = ".".join((*prefix, *loc))
    where = _where(_closest_origin(origins, key))
    value: Any = values
    for part in loc:
        value = value.get(part) if isinstance(value, Mapping) else None
    shown = mask(str(value)) if value is not None and _looks_secret(key) else mask_urls(repr(value))
    return InputError(f"{where}: {key} = {shown}: {error['msg']}")


def _closest_origin(origins: Mapping[str, str], key: str) -> str:
    parts = key.split(".")
    while parts:
        found = origins.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return DEFAULT


def _where(origin: str) -> str:
    """An origin as an error message starts: the file path, or the variable's name."""
    if origin.startswith("env "):
        return _("environment variable {name}").format(name=origin.removeprefix("env "))
    return origin.removeprefix("file ")


def _looks_secret(key: str) -> bool:
    return is_secret_name(key.rsplit(".", 1)[-1])


# --- what `advisor config show` prints -------------------------------------------------------


def config_files() -> dict[str, dict[str, Any]]:
    """The two config files, in precedence order, and whether each exists."""
    return {
        "project": {"path": str(project_config_path()), "exists": project_config_path().is_file()},
        "user": {"path": str(user_config_path()), "exists": user_config_path().is_file()},
    }


def effective_values(settings: Settings) -> list[dict[str, Any]]:
    """Every setting as ``{key, value, source, secret}``; secrets masked, never plain.

    Core fields are listed always (with ``default`` as their source when nothing set
    them); plugin and cost tables list the keys something set.
    """
    rows: list[dict[str, Any]] = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in ("costs", "plugins"):
            for path, leaf in _leaves({name: value}):
                if len(path) > 1:
                    rows.append(_row(settings, ".".join(path), leaf, is_secret_name(path[-1])))
            continue
        rows.append(_row(settings, name, value, isinstance(value, SecretStr)))
    return rows


def _row(settings: Settings, key: str, value: Any, secret: bool) -> dict[str, Any]:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if secret and value is not None:
        value = mask(str(value))
    elif isinstance(value, str):
        value = mask_urls(value)  # https://user:password@host
    return {"key": key, "value": value, "source": settings.origin(key), "secret": secret}


def render_config(settings: Settings, fmt: str) -> str:
    """``config show`` output: JSON for scripts, aligned ``key = value  (source)`` lines."""
    import json

    files = config_files()
    rows = effective_values(settings)
    if fmt == "json":
        return json.dumps({"files": files, "settings": rows}, indent=2) + "\n"
    from .i18n import N_, columns

    names = {"project": N_("project"), "user": N_("user")}
    lines = [_("Config files (environment variables override both; project overrides user):")]
    label_width = max(8, *(columns(_(name)) for name in names.values()))
    for label, info in files.items():
        state = _("found") if info["exists"] else _("not found")
        name = _(names.get(label, label))
        lines.append(f"  {name}{' ' * (label_width - columns(name))} {info['path']}  ({state})")
    lines.append("")
    width = max(len(row["key"]) for row in rows)
    for row in rows:
        shown = _("(not set)") if row["value"] is None else json.dumps(row["value"])
        source = _("default") if row["source"] == DEFAULT else row["source"]
        lines.append(f"{row['key']:<{width}} = {shown}  [{source}]")
    return "\n".join(lines) + "\n"
