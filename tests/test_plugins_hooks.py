"""One test per hook (``test_hook_<name>``, the meta-test checks), plus ``advisor.testing``.

These use the helpers plugin authors get, so they double as their example.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
import yaml
from plugin_dists import FakeSite, backend_plugin

from advisor import plugins
from advisor.api import (
    Backend,
    Check,
    CheckResult,
    CostLine,
    CostOption,
    CostSource,
    PluginError,
    Question,
    hookimpl,
)
from advisor.testing import invoke, plugin_registered

CORE_ANSWERS = {"volatility": "static", "format": "strict", "latency_ms": 2000, "budget_usd": 5000}
TEMPLATES = Path(__file__).parent / "scaffold_backends" / "templates"


@pytest.fixture(autouse=True)
def no_installed_plugins(monkeypatch):
    """Keep plugins installed in this environment out of the way."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.delenv("ADVISOR_STRICT_PLUGINS", raising=False)
    plugins.reset()
    yield
    plugins.reset()


class BackendPlugin:
    @hookimpl
    def register_backends(self, register):
        register(Backend("notes-rag", ("rag",), "RAG over notes", TEMPLATES / "test-rag"))
        register(Backend("notes-ft", ("fine-tune",), "Tune on notes", TEMPLATES / "test-tune"))


class QuestionPlugin:
    @hookimpl
    def register_questions(self, register):
        register(Question("notes_dir", "str", "Where are the notes?", default="notes"))
        register(Question("chunk_tokens", "int", "Chunk size.", default=400, minimum=50))


class CommandPlugin:
    @hookimpl
    def register_commands(self, cli):
        @cli.command(name="notes-count")
        @click.argument("words", nargs=-1)
        def notes_count(words):
            """Count words."""
            click.echo(str(len(words)))


class CheckPlugin:
    @hookimpl
    def register_doctor_checks(self, register):
        def reachable(settings):
            if settings.url.startswith("http://127.0.0.1"):
                return CheckResult("ok", f"{settings.url} is local")
            return CheckResult("fail", f"{settings.url} is not local", fix="use a local URL")

        register(Check("notes-store-reachable", reachable, backend="notes-rag"))


def test_hook_register_backends():
    with plugin_registered(BackendPlugin(), name="notes") as manager:
        backends = manager.backends()
        listed = json.loads(invoke(["plugins", "--format", "json"]).stdout)

    assert [b.approaches for b in backends.values()] == [("rag",), ("fine-tune",)]
    assert backends["notes-rag"].template_dir == TEMPLATES / "test-rag"
    assert manager.backend_owner("notes-ft").name == "notes"
    assert [b["name"] for b in listed[0]["backends"]] == ["notes-rag", "notes-ft"]


def test_hook_register_questions(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**CORE_ANSWERS, "chunk_tokens": 10}))

    with plugin_registered(QuestionPlugin()):
        listed = json.loads(invoke(["questions", "--format", "json"]).stdout)
        refused = invoke(["decide", "--answers", str(answers)])
        accepted = invoke(["decide", "--set", "chunk_tokens=800", "--no-input", "--answers",
                           str(answers), "--save-answers", str(tmp_path / "saved.yaml")])

    keys = [q["key"] for q in listed]
    assert keys[-2:] == ["notes_dir", "chunk_tokens"]
    assert refused.exit_code == 2
    assert "chunk_tokens: 10" in refused.stderr and ">= 50" in refused.stderr
    assert accepted.exit_code == 0, accepted.stderr
    saved = yaml.safe_load((tmp_path / "saved.yaml").read_text())
    assert saved["chunk_tokens"] == 800
    assert saved["notes_dir"] == "notes"


def test_hook_register_commands():
    with plugin_registered(CommandPlugin()):
        ran = invoke(["notes-count", "a", "b", "c"])
        helped = invoke(["--help"])
    after = invoke(["notes-count"])

    assert ran.stdout == "3\n"
    assert "notes-count  Count words." in helped.stdout
    # Unregistered once the block ends: the command is gone again.
    assert after.exit_code == 2
    assert "No such command 'notes-count'" in after.stderr


def test_hook_register_doctor_checks():
    with plugin_registered(CheckPlugin()) as manager:
        [check] = manager.checks()
        listed = json.loads(invoke(["plugins", "--format", "json"]).stdout)

    assert (check.name, check.backend) == ("notes-store-reachable", "notes-rag")
    assert check.run(SimpleNamespace(url="http://127.0.0.1:8080")).status == "ok"
    failed = check.run(SimpleNamespace(url="https://example.org"))
    assert (failed.status, failed.fix) == ("fail", "use a local URL")
    assert listed[0]["checks"] == ["notes-store-reachable"]


class CostPlugin:
    """RAG on a managed vector store: core rag's lines, with its hosting instead of rag's."""

    @hookimpl
    def register_cost_options(self, register, answers):
        register(CostOption(
            name="rag (notes cloud)",
            approach="rag",
            based_on="rag",
            replaces=("vector database",),
            monthly=(CostLine("notes cloud hosting", 25.0 + answers.documents * 0.01,
                              f"$25 base + {answers.documents:,} documents x $0.01"),),
            sources=(CostSource("notes-cloud", "https://notes.example/pricing",
                                datetime.date(2026, 11, 30)),),
        ))


def test_hook_register_cost_options(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**CORE_ANSWERS, "documents": 1000}))
    report = tmp_path / "decision.md"

    with plugin_registered(CostPlugin()):
        data = json.loads(invoke(["decide", "--answers", str(answers), "--format", "json"]).stdout)
        text = invoke(["decide", "--answers", str(answers)]).stdout
        invoke(["decide", "--answers", str(answers), "--format", "markdown", "-o", str(report)])

    plain = json.loads(invoke(["decide", "--answers", str(answers), "--format", "json"]).stdout)

    options = data["costs"]["options"]
    mine, rag = options["rag (notes cloud)"], options["rag"]
    labels = [item["label"] for item in mine["monthly"]]
    assert "vector database" not in labels and "notes cloud hosting" in labels
    assert mine["monthly_usd"] == pytest.approx(
        rag["monthly_usd"] - next(i["usd"] for i in rag["monthly"] if i["label"] ==
                                  "vector database") + 35.0, abs=0.01
    )
    assert mine["upfront"] == rag["upfront"]  # based on rag: its embedding and setup too
    assert mine["primary"] is False
    assert data["recommendation"] == plain["recommendation"]
    assert "rag (notes cloud)" not in plain["costs"]["options"]
    assert {"key": "notes-cloud", "section": "plugin CostPlugin", "as_of": "2026-11-30",
            "source": "https://notes.example/pricing", "assumption": False, "note": "",
            "overridden": []} in data["costs"]["sources"]
    assert "rag (notes cloud)" in text
    assert "https://notes.example/pricing" in report.read_text()
    assert "rag (notes cloud)" in (tmp_path / "decision-costs.svg").read_text()


@pytest.mark.parametrize(
    ("option", "problem"),
    [
        (CostOption("rag", "rag", sources=(CostSource("k", "https://x", datetime.date.today()),)),
         "name 'rag' is already an option (allowed: a new name)"),
        (CostOption("x", "vector", sources=(CostSource("k", "https://x", None, assumption=True),)),
         "approach 'vector' is not allowed (allowed: rag, fine-tune, hybrid)"),
        (CostOption("x", "rag", monthly=(CostLine("host", float("inf"), "?"),),
                    sources=(CostSource("k", "https://x", None, assumption=True),)),
         "line CostLine(label='host', usd=inf, basis='?') must be a CostLine with a finite usd"),
        (CostOption("x", "rag", monthly=(CostLine("host", 5, "?"),),
                    sources=(CostSource("k", "https://x", None),)),
         "sources: none with a source and an as_of date (or assumption=True); every price "
         "needs one"),
    ],
)
def test_a_bad_cost_option_is_refused_naming_the_field(tmp_path, option, problem):
    class Bad:
        @hookimpl
        def register_cost_options(self, register):
            register(option)

    with plugin_registered(Bad(), name="bad"):
        result = invoke(["decide", *[f"--set={k}={v}" for k, v in CORE_ANSWERS.items()]])

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: plugin 'bad': cost option {option.name!r}: {problem} "
        "(plugin_registered is strict)\n"
    )


# --- advisor.testing ---------------------------------------------------------------------


def test_plugin_registered_restores_the_previous_manager():
    before = plugins.get_plugins()

    with plugin_registered(BackendPlugin(), name="notes") as inside:
        assert plugins.get_plugins() is inside
        assert "notes-rag" in plugins.get_plugins().backends()

    assert plugins.get_plugins() is before
    assert "notes-rag" not in before.backends()


def test_plugin_registered_restores_even_when_the_block_fails():
    before = plugins.get_plugins()

    with pytest.raises(LookupError), plugin_registered(BackendPlugin()):
        raise LookupError("the test body failed")

    assert plugins.get_plugins() is before


def test_plugin_registered_is_strict_about_hook_errors():
    class Broken:
        @hookimpl
        def register_backends(self, register):
            raise KeyError("template_dir")

    with plugin_registered(Broken(), name="broken") as manager, pytest.raises(PluginError) as err:
        manager.backends()

    assert err.value.message == (
        "plugin 'broken': hook register_backends raised KeyError: 'template_dir' "
        "(plugin_registered is strict)"
    )


def test_plugin_registered_refuses_an_invalid_plugin():
    class Typo:
        @hookimpl
        def register_question(self, register):
            pass

    before = plugins.get_plugins()
    with pytest.raises(PluginError, match="unknown hook register_question"):
        plugin_registered(Typo(), name="typo").__enter__()

    assert plugins.get_plugins() is before


def test_plugin_registered_can_keep_installed_plugins(monkeypatch, tmp_path):
    site = FakeSite(tmp_path)
    site.add("advisor-installed", "1.0", {"installed": "installed_plugin"},
             {"installed_plugin": backend_plugin("installed-rag")})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "installed")

    with plugin_registered(CommandPlugin(), name="cmd", entry_points=True) as manager:
        both = set(manager.info)
        backends = set(manager.backends())
    with plugin_registered(CommandPlugin(), name="cmd") as manager:
        alone = set(manager.info)

    assert both == {"installed", "cmd"}
    assert backends == {"installed-rag"}
    assert alone == {"cmd"}


def test_invoke_separates_stdout_and_stderr_and_propagates_crashes():
    class Crashing:
        @hookimpl
        def register_commands(self, cli):
            @cli.command(name="crash")
            def crash():
                raise RuntimeError("bug in the command")

    with plugin_registered(Crashing()):
        with pytest.raises(RuntimeError, match="bug in the command"):
            invoke(["crash"])
        caught = invoke(["crash"], catch_exceptions=True)
        misused = invoke(["crash", "--nope"])

    assert isinstance(caught.exception, RuntimeError)
    assert misused.exit_code == 2
    assert misused.stdout == ""
    assert "No such option '--nope'" in misused.stderr
