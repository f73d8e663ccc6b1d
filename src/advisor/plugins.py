"""The plugin manager: discovery through entry points, load control, and isolation.

Plugins (the built-in backends included) are found in the ``advisor`` entry-point group.
``ADVISOR_LOAD_PLUGINS`` picks which load (unset: all; empty: none; ``a,b``: only
those, by entry-point or distribution name). A plugin that fails to import, that
implements a hook that does not exist, or that raises inside a hook is reported as a
one-line warning and left out; the rest keep working. ``ADVISOR_STRICT_PLUGINS=1`` turns
those warnings into errors (exit code 1), for plugin authors and CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from typing import Any

import click
import pluggy

from . import hookspecs
from .backends import Backend
from .errors import PluginError

GROUP = "advisor"


@dataclass
class PluginInfo:
    """What ``advisor plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    module: str
    hooks: list[str] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "hooks": self.hooks,
            "backends": [
                {"name": b.name, "approaches": list(b.approaches), "description": b.description}
                for b in self.backends
            ],
            "errors": self.errors,
        }


class Plugins:
    """A plugin manager plus what happened while loading and calling plugins."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._backends: dict[str, Backend] | None = None
        self._backend_owner: dict[str, str] = {}

    @property
    def strict(self) -> bool:
        return os.environ.get("ADVISOR_STRICT_PLUGINS", "") not in ("", "0", "false", "no")

    # --- loading -----------------------------------------------------------------------

    def load_entry_points(self) -> None:
        wanted = _wanted_plugins()
        for ep in metadata.entry_points(group=GROUP):
            dist = ep.dist.name if ep.dist else "unknown"
            if wanted is not None and ep.name not in wanted and dist not in wanted:
                continue
            if ep.name in self.info:
                continue
            version = ep.dist.version if ep.dist else "unknown"
            info = PluginInfo(ep.name, dist, version, ep.value)
            self.info[ep.name] = info
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not take the CLI down
                self.fail(ep.name, f"failed to load: {_describe(exc)}")
                continue
            self.add(module, ep.name, info)

    def add(self, plugin: object, name: str, info: PluginInfo | None = None) -> None:
        """Register ``plugin`` (a module or object with hookimpls) under ``name``."""
        if info is None:
            module = getattr(plugin, "__name__", type(plugin).__name__)
            info = PluginInfo(name, name, "", module)
        self.info[name] = info
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            self.fail(name, f"invalid plugin: {_describe(exc)}")
            return
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(name=name)
            self.fail(name, f"unknown hook: {_describe(exc)}")
            return
        info.hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
        self._backends = None

    def remove(self, name: str) -> None:
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self.info.pop(name, None)
        self._backends = None

    def fail(self, name: str, message: str) -> None:
        """Record a plugin failure; warn, or stop when strict."""
        self.info.setdefault(name, PluginInfo(name, name, "", "")).errors.append(message)
        text = f"plugin {name!r}: {message}"
        if self.strict:
            raise PluginError(text + " (ADVISOR_STRICT_PLUGINS is set)")
        click.echo(f"Warning: {text}", err=True)

    # --- calling hooks -----------------------------------------------------------------

    def call(self, hook: str, **kwargs: Any) -> None:
        """Call every implementation of ``hook`` on its own, so one failure stays local."""
        caller = getattr(self.pm.hook, hook)
        for impl in reversed(caller.get_hookimpls()):
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except (click.exceptions.Exit, click.ClickException):
                raise
            except Exception as exc:
                self.fail(impl.plugin_name, f"hook {hook} raised {_describe(exc)}")

    def collect(self, hook: str) -> Iterator[tuple[str, Any]]:
        """Call a ``register(...)`` hook; yield ``(plugin name, registered item)``."""
        items: list[tuple[str, Any]] = []
        caller = getattr(self.pm.hook, hook)
        for impl in reversed(caller.get_hookimpls()):
            registered: list[Any] = []
            try:
                impl.function(register=registered.append)
            except Exception as exc:
                self.fail(impl.plugin_name, f"hook {hook} raised {_describe(exc)}")
                continue
            items.extend((impl.plugin_name, item) for item in registered)
        return iter(items)

    # --- what plugins provide ----------------------------------------------------------

    def backends(self) -> dict[str, Backend]:
        """Every registered backend by name; a name two plugins claim is dropped."""
        if self._backends is not None:
            return self._backends
        found: dict[str, Backend] = {}
        owner: dict[str, str] = {}
        clashes: dict[str, list[str]] = {}
        for plugin, backend in self.collect("register_backends"):
            if not isinstance(backend, Backend):
                self.fail(plugin, f"register_backends registered {backend!r}, not a Backend")
                continue
            if backend.name in owner:
                clashes.setdefault(backend.name, [owner[backend.name]]).append(plugin)
                continue
            found[backend.name] = backend
            owner[backend.name] = plugin
            self.info[plugin].backends.append(backend)
        for name, plugins in clashes.items():
            found.pop(name)
            dists = " and ".join(self.distribution(p) for p in plugins)
            for plugin in plugins:
                self.fail(plugin, f"backend name {name!r} is registered by both {dists}")
        self._backends = found
        self._backend_owner = owner
        return found

    def distribution(self, plugin: str) -> str:
        info = self.info.get(plugin)
        return f"{info.distribution} {info.version}".strip() if info else plugin

    def backend_owner(self, name: str) -> PluginInfo:
        self.backends()
        return self.info[self._backend_owner[name]]


def _wanted_plugins() -> set[str] | None:
    raw = os.environ.get("ADVISOR_LOAD_PLUGINS")
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@cache
def get_plugins() -> Plugins:
    """The process-wide plugin manager, loaded on first use."""
    plugins = Plugins()
    plugins.load_entry_points()
    return plugins


def reset() -> None:
    """Forget the loaded plugins (tests change ``ADVISOR_LOAD_PLUGINS`` between runs)."""
    get_plugins.cache_clear()
