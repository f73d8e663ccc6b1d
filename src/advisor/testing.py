"""Helpers for testing plugins: register one for a test, and run the CLI in-process.

.. code-block:: python

    from advisor.testing import invoke, plugin_registered
    import my_plugin

    def test_backend_is_listed():
        with plugin_registered(my_plugin):
            result = invoke(["plugins", "--format", "json"])
        assert "my-rag" in result.output

Both are documented in ``docs/plugins.md`` ("Testing your plugin"). They need
``click``'s test runner only, not pytest; wrap them in a fixture if you like.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from click.testing import CliRunner, Result

from . import plugins as _plugins
from .errors import PluginError

__all__ = ["invoke", "plugin_registered"]


@contextmanager
def plugin_registered(
    plugin: object,
    name: str | None = None,
    *,
    entry_points: bool = False,
    strict: bool = True,
) -> Iterator[_plugins.Plugins]:
    """Run the ``with`` block with ``plugin`` registered, then restore what was there.

    ``plugin`` is a module or object with ``@hookimpl`` functions; ``name`` defaults to
    its ``__name__``. The block sees a fresh plugin manager holding only this plugin,
    unless ``entry_points=True`` also loads the installed ones (as
    ``ADVISOR_LOAD_PLUGINS`` allows): then leave your own distribution out of it, or
    its module would be registered twice. ``strict`` (the default) turns any plugin
    failure, at registration or inside a hook, into :class:`advisor.api.PluginError`
    instead of a warning, so a broken plugin fails its test. Yields the manager
    (``.backends()``, ``.questions()``, ``.commands()``, ``.checks()``, ``.info``).
    """
    manager = _plugins.Plugins(strict=strict, strict_source="plugin_registered is strict")
    previous = _plugins.use(manager)
    try:
        if entry_points:
            manager.load_entry_points()
        label = name or getattr(plugin, "__name__", type(plugin).__name__)
        if not manager.add(plugin, label):
            raise PluginError(f"plugin {label!r}: {'; '.join(manager.info[label].errors)}")
        yield manager
    finally:
        _plugins.use(previous)


def invoke(
    args: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
    catch_exceptions: bool = False,
) -> Result:
    """Run ``advisor ARGS`` in-process and return click's :class:`~click.testing.Result`.

    ``result.exit_code``, ``result.stdout`` and ``result.stderr`` (warnings go there)
    are what a user would see. Unexpected exceptions propagate (pass
    ``catch_exceptions=True`` to get them in ``result.exception`` instead), so a
    traceback fails the test rather than hiding behind exit code 1.
    """
    from .cli import cli

    return CliRunner().invoke(
        cli,
        list(args),
        input=input,
        env=env,
        catch_exceptions=catch_exceptions,
        prog_name="advisor",
    )
