"""The plugin manager: discovery through entry points, load control, and isolation.

Plugins (the built-in backends included) are found in the ``advisor`` entry-point group.
``ADVISOR_LOAD_PLUGINS`` picks which load (unset: all; empty: none; ``a,b``: only
those, by entry-point or distribution name). A plugin that fails to import, that
implements a hook that does not exist, or that raises inside a hook is reported as a
one-line warning and left out; the rest keep working. ``ADVISOR_STRICT_PLUGINS=1`` turns
those warnings into errors (exit code 1), for plugin authors and CI.

Every ``register_*`` hook is called one implementation at a time, each with its own
``register`` callback, so an exception in one plugin discards only what that plugin
registered in that call. A name two plugins both claim (backend, question key, command,
entry point) is an error naming both distributions, and neither is used: which one
would win otherwise depends on install order, which nobody chooses on purpose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
import pluggy

from . import hookspecs
from .backends import Backend
from .checks import Check
from .entrypoints import EntryPoint, entry_points
from .errors import PluginError, closest
from .questionnaire import CORE_QUESTIONS, Question

GROUP = "advisor"
LOAD_ENV = "ADVISOR_LOAD_PLUGINS"
STRICT_ENV = "ADVISOR_STRICT_PLUGINS"

T = TypeVar("T")


@dataclass
class PluginInfo:
    """What ``advisor plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    module: str
    hooks: list[str] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``name (distribution version)``: how messages name a plugin."""
        dist = f"{self.distribution} {self.version}".strip()
        return f"{self.name!r} ({dist})" if dist and dist != self.name else repr(self.name)

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
            "questions": self.questions,
            "commands": self.commands,
            "checks": self.checks,
            "errors": self.errors,
        }


class Plugins:
    """A plugin manager plus what happened while loading and calling plugins.

    ``strict`` overrides ``ADVISOR_STRICT_PLUGINS`` (the test helpers set it).
    """

    def __init__(self, strict: bool | None = None) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._strict = strict
        self._cache: dict[str, Any] = {}
        self._backend_owner: dict[str, str] = {}

    @property
    def strict(self) -> bool:
        if self._strict is not None:
            return self._strict
        return os.environ.get(STRICT_ENV, "").strip().lower() not in ("", "0", "false", "no")

    # --- loading -----------------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Load the ``advisor`` entry-point group's plugins that ``ADVISOR_LOAD_PLUGINS`` allows.

        Loading imports each plugin's module and nothing more: plugins keep their heavy
        imports inside functions, so this stays cheap however many are installed.
        """
        wanted = wanted_plugins()
        by_name: dict[str, list[EntryPoint]] = {}
        for ep in entry_points(GROUP):
            by_name.setdefault(ep.name, []).append(ep)
        if wanted is not None:
            known = {_normalise(n) for n in by_name}
            known |= {_normalise(_dist(ep)[0]) for eps in by_name.values() for ep in eps}
            for missing in sorted(wanted - known):
                self.warn(
                    f"{LOAD_ENV} names {missing!r}, which is not an installed plugin "
                    f"(installed: {', '.join(sorted(by_name)) or 'none'})"
                )
        for name, found in by_name.items():
            # Naming a distribution picks its entry point even if another one shares the name.
            eps = [ep for ep in found if wanted is None or _selected(ep, wanted)]
            if not eps or name in self.info:
                continue
            dist, version = _dist(eps[0])
            info = PluginInfo(name, dist, version, eps[0].value)
            self.info[name] = info
            if len(eps) > 1:
                dists = " and ".join(sorted(" ".join(_dist(ep)).strip() for ep in eps))
                self.fail(name, f"plugin name is claimed by both {dists}; neither is loaded")
                continue
            try:
                plugin = eps[0].load()
            except (Exception, SystemExit) as exc:  # a broken plugin must not take the CLI down
                self.fail(name, f"failed to load: {_describe(exc)}")
                continue
            self.add(plugin, name, info)

    def add(self, plugin: object, name: str, info: PluginInfo | None = None) -> bool:
        """Register ``plugin`` (a module or object with hookimpls) under ``name``.

        Returns False (after warning) when the plugin is refused: a name already taken,
        a hookimpl whose arguments do not match its spec, a hook wrapper, or a hookimpl
        for a hook that does not exist (``check_pending``, which catches typos).
        """
        if info is None:
            module = getattr(plugin, "__name__", type(plugin).__name__)
            info = PluginInfo(name, name, "", module)
        if self.pm.has_plugin(name) or (name in self.info and self.info[name] is not info):
            self.info.setdefault(name, info)
            self.fail(name, f"a plugin named {name!r} is already registered")
            return False
        self.info[name] = info
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            self.fail(name, f"invalid plugin: {_mismatch(exc)}")
            return False
        except ValueError as exc:
            self.fail(name, f"invalid plugin: {_describe(exc)}")
            return False
        callers = self.pm.get_hookcallers(plugin) or []
        problem = _unknown_hooks(self.pm, callers) or _wrappers(callers, name)
        if problem:
            self.pm.unregister(name=name)
            self.fail(name, problem)
            return False
        info.hooks = sorted(caller.name for caller in callers)
        self._cache.clear()
        return True

    def remove(self, name: str) -> None:
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self.info.pop(name, None)
        self._cache.clear()

    def warn(self, text: str) -> None:
        """Print a one-line warning, or stop with exit code 1 when strict."""
        if self.strict:
            raise PluginError(f"{text} ({STRICT_ENV} is set)")
        click.echo(f"Warning: {text}", err=True)

    def fail(self, name: str, message: str) -> None:
        """Record a plugin failure for ``advisor plugins``; warn once, or stop when strict."""
        info = self.info.setdefault(name, PluginInfo(name, name, "", ""))
        if message in info.errors:
            return
        info.errors.append(message)
        self.warn(f"plugin {info.label}: {message}")

    # --- calling hooks -----------------------------------------------------------------

    def _invoke(self, impl: pluggy.HookImpl, hook: str, **kwargs: Any) -> bool:
        """Call one hookimpl with the arguments it asks for; report what it raises."""
        try:
            impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        except (Exception, SystemExit) as exc:
            self.fail(impl.plugin_name, f"hook {hook} raised {_describe(exc)}")
            return False
        return True

    def collect(self, hook: str, kind: type[T] | None = None) -> Iterator[tuple[str, T]]:
        """Call a ``register(...)`` hook; yield ``(plugin name, registered item)``.

        With ``kind``, ``register`` refuses anything else (a ``TypeError`` raised inside
        the plugin's hook, so the report points at the plugin).
        """
        items: list[tuple[str, Any]] = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            registered: list[Any] = []

            def register(item: Any, _into: list[Any] = registered) -> None:
                if kind is not None and not isinstance(item, kind):
                    raise TypeError(f"register() takes a {kind.__name__}, got {item!r}")
                _into.append(item)

            if self._invoke(impl, hook, register=register):
                items.extend((impl.plugin_name, item) for item in registered)
        return iter(items)

    def _claim(
        self,
        what: str,
        items: Iterable[tuple[str, str, T]],
        reserved: Iterable[str] = (),
    ) -> dict[str, tuple[str, T]]:
        """Resolve ``(plugin, name, item)`` claims to ``name -> (plugin, item)``.

        A reserved name (the core's own) or a name claimed twice is reported and dropped.
        """
        taken = set(reserved)
        claims: dict[str, list[tuple[str, T]]] = {}
        for plugin, name, item in items:
            claims.setdefault(name, []).append((plugin, item))
        resolved: dict[str, tuple[str, T]] = {}
        for name, owners in claims.items():
            plugins = [plugin for plugin, _ in owners]
            if name in taken:
                for plugin in dict.fromkeys(plugins):
                    self.fail(plugin, f"{what} {name!r} is advisor's own; the plugin's is not used")
            elif len(set(plugins)) > 1:
                both = " and ".join(sorted(self.distribution(p) for p in set(plugins)))
                for plugin in dict.fromkeys(plugins):
                    self.fail(
                        plugin, f"{what} {name!r} is registered by both {both}; neither is used"
                    )
            elif len(plugins) > 1:
                self.fail(plugins[0], f"{what} {name!r} is registered twice; neither is used")
            else:
                resolved[name] = owners[0]
        return resolved

    # --- what plugins provide ----------------------------------------------------------

    def backends(self) -> dict[str, Backend]:
        """Every registered backend by name; a name two plugins claim is dropped."""
        if "backends" not in self._cache:
            claims = [
                (plugin, backend.name, backend)
                for plugin, backend in self.collect("register_backends", Backend)
            ]
            resolved = self._claim("backend name", claims)
            for info in self.info.values():
                info.backends = []
            for plugin, backend in resolved.values():
                self.info[plugin].backends.append(backend)
            self._backend_owner = {name: plugin for name, (plugin, _) in resolved.items()}
            self._cache["backends"] = {name: b for name, (_, b) in resolved.items()}
        return self._cache["backends"]

    def backend_owner(self, name: str) -> PluginInfo:
        """The plugin that registered backend ``name`` (``KeyError`` if none did)."""
        self.backends()
        return self.info[self._backend_owner[name]]

    def questions(self) -> list[Question]:
        """Questions plugins add; keys must not collide with the core's or each other."""
        if "questions" not in self._cache:
            claims = [(p, q.key, q) for p, q in self.collect("register_questions", Question)]
            core = [q.key for q in CORE_QUESTIONS]
            resolved = self._claim("question key", claims, reserved=core)
            for info in self.info.values():
                info.questions = []
            for key, (plugin, _) in resolved.items():
                self.info[plugin].questions.append(key)
            self._cache["questions"] = [q for _, q in resolved.values()]
        return self._cache["questions"]

    def commands(self, reserved: Iterable[str] = ()) -> dict[str, click.Command]:
        """Commands plugins add, by name; ``reserved`` are the core's command names.

        Each implementation registers into a group of its own, so what it added is known
        exactly and a name it shares with the core or another plugin can be refused.
        """
        if "commands" not in self._cache:
            claims: list[tuple[str, str, click.Command]] = []
            for impl in reversed(self.pm.hook.register_commands.get_hookimpls()):
                group = click.Group(name="advisor")
                if self._invoke(impl, "register_commands", cli=group):
                    claims.extend((impl.plugin_name, n, c) for n, c in group.commands.items())
            resolved = self._claim("command", claims, reserved=reserved)
            for info in self.info.values():
                info.commands = []
            for name, (plugin, _) in resolved.items():
                self.info[plugin].commands.append(name)
            self._cache["commands"] = {name: command for name, (_, command) in resolved.items()}
        return self._cache["commands"]

    def checks(self) -> list[Check]:
        """Doctor checks in registration order (names need not be unique)."""
        if "checks" not in self._cache:
            found = list(self.collect("register_doctor_checks", Check))
            for info in self.info.values():
                info.checks = []
            for plugin, check in found:
                self.info[plugin].checks.append(check.name)
            self._cache["checks"] = [check for _, check in found]
        return self._cache["checks"]

    def distribution(self, plugin: str) -> str:
        """``distribution version`` of a plugin, for messages."""
        info = self.info.get(plugin)
        return f"{info.distribution} {info.version}".strip() if info else plugin


def hook_names() -> list[str]:
    """The names of every hook in :mod:`advisor.hookspecs`, sorted."""
    return sorted(n for n, f in vars(hookspecs).items() if hasattr(f, f"{GROUP}_spec"))


def wanted_plugins() -> set[str] | None:
    """``ADVISOR_LOAD_PLUGINS`` as normalised names; None when unset (load everything)."""
    raw = os.environ.get(LOAD_ENV)
    if raw is None:
        return None
    return {_normalise(part) for part in raw.split(",") if part.strip()}


def _normalise(name: str) -> str:
    """Compare names the way pip does: case-insensitive, ``-``, ``_`` and ``.`` alike."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _dist(ep: EntryPoint) -> tuple[str, str]:
    return ep.dist, ep.version


def _selected(ep: EntryPoint, wanted: set[str]) -> bool:
    return _normalise(ep.name) in wanted or _normalise(_dist(ep)[0]) in wanted


def _unknown_hooks(pm: pluggy.PluginManager, callers: list[pluggy.HookCaller]) -> str:
    """``check_pending``'s verdict on a just-registered plugin, as one line ('' if fine).

    Only the plugin just registered can fail: any earlier one that did was unregistered.
    """
    try:
        pm.check_pending()
    except pluggy.PluginValidationError:
        unknown = [c.name for c in callers if not c.has_spec()]
        spec_names = hook_names()
        parts = []
        for name in unknown:
            close = closest(name, spec_names)
            parts.append(f"{name} (did you mean {close}?)" if close else name)
        return f"unknown hook {', '.join(parts)}; known hooks: {', '.join(spec_names)}"
    return ""


def _wrappers(callers: list[pluggy.HookCaller], name: str) -> str:
    """Hook wrappers make no sense for ``register`` hooks, and would be silently skipped."""
    for caller in callers:
        for impl in caller.get_hookimpls():
            if impl.plugin_name == name and (impl.hookwrapper or impl.wrapper):
                return f"hook {caller.name} is a wrapper; advisor hooks are plain functions"
    return ""


def _mismatch(exc: pluggy.PluginValidationError) -> str:
    """pluggy's several-line complaint about a hookimpl's arguments, as one line."""
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())


def _describe(exc: BaseException) -> str:
    """An exception as one line, scrubbed of secret environment values and URL credentials."""
    from .redaction import environment_secrets, scrub

    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return scrub(line, environment_secrets())


_current: Plugins | None = None


def get_plugins() -> Plugins:
    """The process-wide plugin manager, loaded from entry points on first use."""
    global _current
    if _current is None:
        plugins = Plugins()
        plugins.load_entry_points()
        _current = plugins
    return _current


def use(plugins: Plugins | None) -> Plugins | None:
    """Make ``plugins`` the process-wide manager (None: reload on next use); return the old."""
    global _current
    previous, _current = _current, plugins
    return previous


def reset() -> None:
    """Forget the loaded plugins (tests change ``ADVISOR_LOAD_PLUGINS`` between runs)."""
    use(None)

