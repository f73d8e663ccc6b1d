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
would win otherwise depends on install order, which nobody chooses on purpose. The one
exception is advisor's own built-in plugins: a third-party plugin cannot displace one by
using its name (only ``ADVISOR_LOAD_PLUGINS``, leaving the built-in out, frees the name).

What plugins register is vetted (:mod:`advisor.vetting`) before it is used; every hook
runs with a deadline (:mod:`advisor.timeouts`), so a hung plugin is reported, not waited
for; and nothing a plugin raises at import or in a hook, ``KeyboardInterrupt``
included, stops advisor, unless the user really pressed Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
import pluggy

from . import hookspecs, i18n
from .backends import Backend, Backends
from .checks import Check
from .entrypoints import EntryPoint, entry_points
from .errors import PluginError, closest
from .i18n import N_, Catalog
from .i18n import gettext as _
from .messages import Message, translate
from .plugin_names import (
    GROUP,
    LOAD_ENV,
    is_builtin,
    normalise,
    selected,
    wanted_plugins,
)
from .questionnaire import CORE_QUESTIONS, Question
from .timeouts import DEFAULT_HOOK_TIMEOUT_S, HOOK_TIMEOUT_ENV, call_with_timeout, timeout_from_env
from .vetting import backend_problems, catalog_problems, question_problems

STRICT_ENV = "ADVISOR_STRICT_PLUGINS"
# `advisor plugins` flags a plugin whose import takes longer: every command that loads
# plugins (`--help` included) pays for it.
SLOW_IMPORT_S = 0.25

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
    catalogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    builtin: bool = False
    import_seconds: float | None = None

    @property
    def notes(self) -> list[str]:
        """Advice that is not an error (a slow import), for ``advisor plugins``."""
        if self.import_seconds is not None and self.import_seconds > SLOW_IMPORT_S:
            return [
                Message(
                    N_(
                        "importing {module} took {seconds} s (over {limit} s), which every "
                        "command that loads plugins pays, --help included: import heavy "
                        "libraries inside the functions that use them"
                    ),
                    module=self.module,
                    seconds=f"{self.import_seconds:.2f}",
                    limit=SLOW_IMPORT_S,
                )
            ]
        return []

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
            "catalogs": self.catalogs,
            "errors": self.errors,
            "builtin": self.builtin,
            "import_ms": None if self.import_seconds is None else round(self.import_seconds * 1e3),
            "notes": self.notes,
        }


class Plugins:
    """A plugin manager plus what happened while loading and calling plugins.

    ``strict`` overrides ``ADVISOR_STRICT_PLUGINS``; ``strict_source`` is what the
    strict error names as the reason (the test helpers set both).
    """

    def __init__(self, strict: bool | None = None, strict_source: str = "strict=True") -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._strict = strict
        self._strict_source = strict_source
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
            known = {normalise(n) for n in by_name}
            known |= {normalise(_dist(ep)[0]) for eps in by_name.values() for ep in eps}
            for missing in sorted(wanted - known):
                self.warn(
                    Message(
                        N_(
                            "{variable} names {name}, which is not an installed plugin "
                            "(installed: {installed})"
                        ),
                        variable=LOAD_ENV,
                        name=repr(missing),
                        installed=", ".join(sorted(by_name)) or Message(N_("none")),
                    )
                )
        from . import api  # noqa: F401  (imported once here, so no plugin's import time pays for it)

        for name, found in by_name.items():
            # Naming a distribution picks its entry point even if another one shares the name.
            eps = [ep for ep in found if wanted is None or selected(ep, wanted)]
            if not eps or name in self.info:
                continue
            builtin = [ep for ep in eps if is_builtin(ep)]
            if builtin and len(eps) > 1:
                for impostor in (ep for ep in eps if ep not in builtin):
                    self._refuse_impostor(impostor)
                eps = builtin
            dist, version = _dist(eps[0])
            info = PluginInfo(name, dist, version, eps[0].value, builtin=bool(builtin))
            self.info[name] = info
            if len(eps) > 1:
                dists = " and ".join(sorted(" ".join(_dist(ep)).strip() for ep in eps))
                self.fail(
                    name,
                    Message(
                        N_("plugin name is claimed by both {distributions}; neither is loaded"),
                        distributions=dists,
                    ),
                )
                continue
            started = time.perf_counter()
            try:
                with _noticing_ctrl_c() as pressed:
                    plugin = eps[0].load()
            except BaseException as exc:  # a broken plugin must not take the CLI down...
                if pressed and isinstance(exc, KeyboardInterrupt):
                    raise  # ...but a real Ctrl-C while it loads still stops advisor
                self.fail(name, Message(N_("failed to load: {error}"), error=_describe(exc)))
                continue
            info.import_seconds = time.perf_counter() - started
            self.add(plugin, name, info)

    def _refuse_impostor(self, ep: EntryPoint) -> None:
        """An entry point that uses a built-in plugin's name: reported, never loaded."""
        dist, version = _dist(ep)
        key = f"{ep.name} [{dist}]"
        self.info[key] = PluginInfo(ep.name, dist, version, ep.value)
        self.fail(
            key,
            Message(
                N_(
                    "entry point name {name} is a built-in advisor plugin's; this one is not "
                    "loaded (to replace the built-in, set {variable} to leave it out)"
                ),
                name=repr(ep.name),
                variable=LOAD_ENV,
            ),
        )

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
            self.fail(
                name, Message(N_("a plugin named {name} is already registered"), name=repr(name))
            )
            return False
        self.info[name] = info
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            self.fail(name, Message(N_("invalid plugin: {error}"), error=_mismatch(exc)))
            return False
        except ValueError as exc:
            self.fail(name, Message(N_("invalid plugin: {error}"), error=_describe(exc)))
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
        """Print a one-line warning, or stop with exit code 1 when strict (in the language
        in use: ``text`` may be a :class:`~advisor.messages.Message`)."""
        if self.strict:
            if self._strict is None:
                why = _("{variable} is set").format(variable=STRICT_ENV)
            else:
                why = self._strict_source
            raise PluginError(f"{translate(text)} ({why})")
        click.echo(_("Warning: {message}").format(message=translate(text)), err=True)

    def fail(self, name: str, message: str) -> None:
        """Record a plugin failure for ``advisor plugins``; warn once, or stop when strict.

        Strict mode stops every time the failure happens, not only the first: a plugin
        test that runs two commands must fail on the second as on the first.
        """
        info = self.info.setdefault(name, PluginInfo(name, name, "", ""))
        repeated = message in info.errors
        if not repeated:
            info.errors.append(message)
        if not repeated or self.strict:
            self.warn(Message(N_("plugin {plugin}: {problem}"), plugin=info.label, problem=message))

    # --- calling hooks -----------------------------------------------------------------

    def _invoke(self, impl: pluggy.HookImpl, hook: str, **kwargs: Any) -> bool:
        """Call one hookimpl with the arguments it asks for, with a deadline.

        Whatever it raises (``KeyboardInterrupt`` and ``SystemExit`` included) or a call
        still running after ``ADVISOR_HOOK_TIMEOUT`` seconds is reported as a failure of
        that plugin; False tells the caller to discard what the call registered.
        """
        seconds = timeout_from_env(HOOK_TIMEOUT_ENV, DEFAULT_HOOK_TIMEOUT_S)
        arguments = {arg: kwargs[arg] for arg in impl.argnames}
        outcome = call_with_timeout(
            lambda: impl.function(**arguments), seconds, f"advisor {hook} {impl.plugin_name}"
        )
        if outcome.timed_out:
            self.fail(
                impl.plugin_name,
                Message(
                    N_(
                        "hook {hook} did not finish within {seconds} s ({variable}); what it "
                        "registered is not used"
                    ),
                    hook=hook,
                    seconds=f"{seconds:g}",
                    variable=HOOK_TIMEOUT_ENV,
                ),
            )
            return False
        if outcome.error is not None:
            self.fail(
                impl.plugin_name,
                Message(
                    N_("hook {hook} raised {error}"), hook=hook, error=_describe(outcome.error)
                ),
            )
            return False
        return True

    def collect(
        self, hook: str, kind: type[T] | None = None, **arguments: Any
    ) -> Iterator[tuple[str, T]]:
        """Call a ``register(...)`` hook; yield ``(plugin name, registered item)``.

        With ``kind``, ``register`` refuses anything else (a ``TypeError`` raised inside
        the plugin's hook, so the report points at the plugin). ``arguments`` are the
        hook's other arguments (``answers`` for ``register_cost_options``).
        """
        items: list[tuple[str, Any]] = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            register = _Registrar(kind)
            succeeded = self._invoke(impl, hook, register=register, **arguments)
            register.close()  # a hook thread that lingers past its deadline adds nothing
            if succeeded:
                items.extend((impl.plugin_name, item) for item in register.items)
        return iter(items)

    def _claim(
        self,
        what: str,
        items: Iterable[tuple[str, str, T]],
        reserved: Iterable[str] = (),
    ) -> tuple[dict[str, tuple[str, T]], dict[str, str]]:
        """Resolve ``(plugin, name, item)`` claims to ``name -> (plugin, item)``.

        A reserved name (the core's own) or a name claimed twice is reported and dropped;
        a name a built-in plugin claims stays the built-in's. Also returns why each
        dropped name was dropped, for the error of a command that asks for it.
        """
        taken = set(reserved)
        claims: dict[str, list[tuple[str, T]]] = {}
        for plugin, name, item in items:
            claims.setdefault(name, []).append((plugin, item))
        resolved: dict[str, tuple[str, T]] = {}
        refused: dict[str, str] = {}
        for name, owners in claims.items():
            builtin = [(p, item) for p, item in owners if self._is_builtin(p)]
            if len(builtin) == 1 and len(owners) > 1:
                owner = builtin[0][0]
                for plugin in dict.fromkeys(p for p, _ in owners if p != owner):
                    self.fail(
                        plugin,
                        Message(
                            N_("{what} {name} is the built-in plugin {owner}'s; the plugin's "
                               "is not used"),
                            what=what,
                            name=repr(name),
                            owner=repr(owner),
                        ),
                    )
                owners = builtin
            plugins = [plugin for plugin, _ in owners]
            given = {"what": what, "name": repr(name)}
            if name in taken:
                refused[name] = Message(N_("{what} {name} is advisor's own"), **given)
                for plugin in dict.fromkeys(plugins):
                    self.fail(
                        plugin,
                        Message(N_("{what} {name} is advisor's own; the plugin's is not used"),
                                **given),
                    )
            elif len(set(plugins)) > 1:
                both = " and ".join(sorted(self.distribution(p) for p in set(plugins)))
                refused[name] = Message(
                    N_("{what} {name} is registered by both {both}; neither is used"),
                    **given,
                    both=both,
                )
                for plugin in dict.fromkeys(plugins):
                    self.fail(plugin, refused[name])
            elif len(plugins) > 1:
                refused[name] = Message(
                    N_("{what} {name} is registered twice by {plugin}"),
                    **given,
                    plugin=repr(plugins[0]),
                )
                self.fail(
                    plugins[0],
                    Message(N_("{what} {name} is registered twice; neither is used"), **given),
                )
            else:
                resolved[name] = owners[0]
        return resolved, refused

    def _is_builtin(self, plugin: str) -> bool:
        info = self.info.get(plugin)
        return info is not None and info.builtin

    # --- what plugins provide ----------------------------------------------------------

    def backends(self) -> Backends:
        """Every usable registered backend by name.

        A backend that breaks the rules (:func:`advisor.vetting.backend_problems`) is
        reported and left out, and so is a name two plugins claim; ``.refused`` says why
        each left-out name is missing.
        """
        if "backends" not in self._cache:
            self.catalogs()
            claims: list[tuple[str, str, Backend]] = []
            invalid: dict[str, str] = {}
            for plugin, backend in self.collect("register_backends", Backend):
                problems = backend_problems(backend)
                for problem in problems:
                    self.fail(
                        plugin,
                        Message(
                            N_("backend {name}: {problem}"),
                            name=repr(backend.name),
                            problem=problem,
                        ),
                    )
                if problems:
                    invalid[str(backend.name)] = Message(
                        N_("backend {name} of plugin {plugin} is not usable: {problem}"),
                        name=repr(backend.name),
                        plugin=self.info[plugin].label,
                        problem=problems[0],
                    )
                else:
                    claims.append((plugin, backend.name, backend))
            resolved, refused = self._claim(Message(N_("backend name")), claims)
            for info in self.info.values():
                info.backends = []
            for plugin, backend in resolved.values():
                self.info[plugin].backends.append(backend)
            self._backend_owner = {name: plugin for name, (plugin, _) in resolved.items()}
            self._cache["backends"] = Backends(
                {name: b for name, (_, b) in resolved.items()},
                refused={**invalid, **refused},
            )
        return self._cache["backends"]

    def backend_owner(self, name: str) -> PluginInfo:
        """The plugin that registered backend ``name`` (``KeyError`` if none did)."""
        self.backends()
        return self.info[self._backend_owner[name]]

    def questions(self) -> list[Question]:
        """Questions plugins add; keys must not collide with the core's or each other."""
        if "questions" not in self._cache:
            self.catalogs()
            core = [q.key for q in CORE_QUESTIONS]
            claims = []
            for plugin, question in self.collect("register_questions", Question):
                # A core key is refused below, by _claim, with the message it always had.
                problems = [] if question.key in core else question_problems(question)
                for problem in problems:
                    self.fail(plugin, Message(N_("question {problem}"), problem=problem))
                if not problems:
                    claims.append((plugin, question.key, question))
            resolved, _ = self._claim(Message(N_("question key")), claims, reserved=core)
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
            resolved, _ = self._claim(Message(N_("command")), claims, reserved=reserved)
            for info in self.info.values():
                info.commands = []
            for name, (plugin, _) in resolved.items():
                self.info[plugin].commands.append(name)
            self._cache["commands"] = {name: command for name, (_, command) in resolved.items()}
        return self._cache["commands"]

    def checks(self) -> list[Check]:
        """Doctor checks in registration order (names need not be unique)."""
        if "checks" not in self._cache:
            self.catalogs()
            found = list(self.collect("register_doctor_checks", Check))
            for info in self.info.values():
                info.checks = []
            for plugin, check in found:
                self.info[plugin].checks.append(check.name)
            self._cache["checks"] = [check for _, check in found]
        return self._cache["checks"]

    def catalogs(self) -> list[Catalog]:
        """Plugins' gettext catalogs, handed to :mod:`advisor.i18n` (after the core's).

        Asked for before anything whose text a plugin may translate (questions, backends,
        checks); a catalog that breaks the rules, or a domain two plugins (or the core)
        claim, is reported and not used.
        """
        if "catalogs" not in self._cache:
            claims: list[tuple[str, str, Catalog]] = []
            for plugin, catalog in self.collect("register_catalogs", Catalog):
                problems = catalog_problems(catalog)
                for problem in problems:
                    self.fail(plugin, problem)
                if not problems:
                    claims.append((plugin, catalog.domain, catalog))
            resolved, _ = self._claim(
                Message(N_("catalog domain")), claims, reserved=[i18n.DOMAIN]
            )
            for info in self.info.values():
                info.catalogs = []
            for domain, (plugin, _) in resolved.items():
                self.info[plugin].catalogs.append(domain)
            self._cache["catalogs"] = [catalog for _, catalog in resolved.values()]
            i18n.use_catalogs(self._cache["catalogs"])
        return self._cache["catalogs"]

    def distribution(self, plugin: str) -> str:
        """``distribution version`` of a plugin, for messages."""
        info = self.info.get(plugin)
        return f"{info.distribution} {info.version}".strip() if info else plugin


def hook_names() -> list[str]:
    """The names of every hook in :mod:`advisor.hookspecs`, sorted."""
    return sorted(n for n, f in vars(hookspecs).items() if hasattr(f, f"{GROUP}_spec"))


def _dist(ep: EntryPoint) -> tuple[str, str]:
    return ep.dist, ep.version


@contextlib.contextmanager
def _noticing_ctrl_c() -> Iterator[list[int]]:
    """Note a real SIGINT during the block (the list is non-empty then), and still raise.

    Lets a plugin's own ``raise KeyboardInterrupt`` at import be told from the user's
    Ctrl-C. Only the main thread can set handlers; elsewhere nothing is noticed.
    """
    pressed: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield pressed
        return

    def handler(signum: int, frame: Any) -> None:
        pressed.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


class _Registrar:
    """The ``register`` callback one hook call gets: checks the type, refuses late calls."""

    def __init__(self, kind: type | None) -> None:
        self.kind = kind
        self.items: list[Any] = []
        self.closed = False

    def __call__(self, item: Any) -> None:
        if self.closed:
            raise RuntimeError("register() called after the hook returned or timed out")
        if self.kind is not None and not isinstance(item, self.kind):
            raise TypeError(f"register() takes a {self.kind.__name__}, got {item!r}")
        self.items.append(item)

    def close(self) -> None:
        self.closed = True


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
        return Message(
            N_("unknown hook {hooks}; known hooks: {known}"),
            hooks=", ".join(parts),
            known=", ".join(spec_names),
        )
    return ""


def _wrappers(callers: list[pluggy.HookCaller], name: str) -> str:
    """Hook wrappers make no sense for ``register`` hooks, and would be silently skipped."""
    for caller in callers:
        for impl in caller.get_hookimpls():
            if impl.plugin_name == name and (impl.hookwrapper or impl.wrapper):
                return Message(
                    N_("hook {hook} is a wrapper; advisor hooks are plain functions"),
                    hook=caller.name,
                )
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
    if plugins is not previous:
        # The catalogs were the old manager's plugins'; the new one registers its own.
        i18n.use_catalogs(plugins._cache.get("catalogs", []) if plugins is not None else [])
    return previous


def reset() -> None:
    """Forget the loaded plugins (tests change ``ADVISOR_LOAD_PLUGINS`` between runs)."""
    use(None)

