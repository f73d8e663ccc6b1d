"""What a plugin registers is checked before use, strict mode always stops, and built-ins
cannot be displaced: the publisher bugs of issue 20 and the plugin items of issue 15."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import pytest
from doctor_env import clean_env  # noqa: F401  (a fixture)
from plugin_dists import FakeSite, backend_plugin

from advisor import plugins
from advisor.api import Backend, Check, CheckResult, EnvVar, PluginError, Question, hookimpl
from advisor.plugin_names import BUILTINS
from advisor.testing import invoke, plugin_registered

TEMPLATES = Path(__file__).parent / "scaffold_backends" / "templates"
GOOD = Backend("notes-rag", ("rag",), "RAG over notes", TEMPLATES / "test-rag")


class Registers:
    """A plugin object that registers the given backends and questions."""

    def __init__(self, *items: Backend | Question) -> None:
        self.items = items

    @hookimpl
    def register_backends(self, register):
        for item in self.items:
            if isinstance(item, Backend):
                register(item)

    @hookimpl
    def register_questions(self, register):
        for item in self.items:
            if isinstance(item, Question):
                register(item)


@pytest.fixture(autouse=True)
def clean(monkeypatch) -> Iterator[None]:
    monkeypatch.delenv("ADVISOR_STRICT_PLUGINS", raising=False)
    monkeypatch.delenv("ADVISOR_HOOK_TIMEOUT", raising=False)
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    plugins.reset()
    yield
    plugins.reset()


def lenient_errors(*items: Backend | Question) -> tuple[list[str], dict]:
    """Register ``items`` leniently; the plugin's errors and the usable backends."""
    with plugin_registered(Registers(*items), name="rules", strict=False) as manager:
        backends = dict(manager.backends())
        manager.questions()
        return manager.info["rules"].errors, backends


# --- 2 and 7: strict mode stops every time, and names its real cause --------------------


class Broken:
    @hookimpl
    def register_backends(self, register):
        raise RuntimeError("broken on purpose")


def test_strict_mode_raises_on_every_command_not_only_the_first():
    with plugin_registered(Broken(), name="broken") as manager:
        first = invoke(["plugins"], catch_exceptions=True)
        second = invoke(["plugins"], catch_exceptions=True)
        with pytest.raises(PluginError):
            manager.backends()
        with pytest.raises(PluginError):
            manager.backends()

    assert first.exit_code == second.exit_code == 1
    assert "broken on purpose" in second.stderr


def test_lenient_mode_still_warns_only_once():
    with plugin_registered(Broken(), name="broken", strict=False) as manager:
        first = invoke(["plugins"])
        second = invoke(["plugins"])
        assert manager.info["broken"].errors == [
            "hook register_backends raised RuntimeError: broken on purpose"
        ]

    assert first.exit_code == second.exit_code == 0
    assert first.stderr.count("Warning:") == 1
    assert "Warning:" not in second.stderr


def test_the_strict_error_blames_plugin_registered_not_the_environment_variable():
    with plugin_registered(Broken(), name="broken") as manager, pytest.raises(PluginError) as err:
        manager.backends()

    assert err.value.message.endswith("(plugin_registered is strict)")
    assert "ADVISOR_STRICT_PLUGINS" not in err.value.message


def test_a_backend_claimed_by_two_plugins_says_why_when_scaffolding(tmp_path):
    with plugin_registered(Registers(GOOD), name="one", strict=False) as manager:
        manager.add(Registers(GOOD), "two")
        result = invoke(["scaffold", str(tmp_path / "x"), "--backend", "notes-rag", "--no-input"])

    assert result.exit_code == 2
    assert "is registered by both one and two; neither is used" in result.stderr
    assert "unknown backend" not in result.stderr


# --- 3: a template_dir that is not there -----------------------------------------------


def test_a_missing_template_dir_is_refused_at_registration_and_shown_by_plugins(tmp_path):
    missing = replace(GOOD, template_dir=tmp_path / "not-there")
    with plugin_registered(Registers(missing), name="rules", strict=False):
        listed = invoke(["plugins"])
        scaffolded = invoke(
            ["scaffold", str(tmp_path / "x"), "--backend", "notes-rag", "--no-input"]
        )

    assert f"    ERROR: backend 'notes-rag': template_dir {tmp_path / 'not-there'} is not a" in (
        listed.stdout
    )
    assert scaffolded.exit_code == 2
    assert "is not usable: template_dir" in scaffolded.stderr
    assert not (tmp_path / "x").exists()


def test_a_template_dir_without_files_or_readme_is_refused(tmp_path):
    errors, backends = lenient_errors(replace(GOOD, template_dir=tmp_path))

    assert errors == [f"backend 'notes-rag': template_dir {tmp_path} holds no files/ or readme.md "
                      "(see docs/scaffold.md)"]
    assert backends == {}


# --- 4: backend questions follow the register_questions rules ----------------------------


def test_a_backend_question_may_not_reuse_a_core_key():
    clash = replace(GOOD, questions=(Question("citations", "str", "Cite how?", default="apa"),))

    errors, backends = lenient_errors(clash)

    assert errors == ["backend 'notes-rag': question 'citations' is advisor's own question key "
                      "(allowed: a key the core does not use)"]
    assert backends == {}


# --- 5: names, kinds, defaults, requirements, placeholders -------------------------------

BAD_DATA = {
    "name": (
        replace(GOOD, name="my rag"),
        "backend 'my rag': name 'my rag' is not allowed (allowed: lowercase letters",
    ),
    "question kind": (
        replace(GOOD, questions=(Question("top_k", "float", "How many?", default=3.0),)),
        "backend 'notes-rag': question 'top_k': kind 'float' is not allowed (allowed: choice,",
    ),
    "default not a choice": (
        replace(GOOD, questions=(Question("tone", "choice", "Tone?", choices=("a", "b"),
                                          default="c"),)),
        "backend 'notes-rag': question 'tone': default 'c' is not allowed (allowed: one of a, b)",
    ),
    "question key": (
        replace(GOOD, questions=(Question("Bad Key", "str", "?", default="x"),)),
        "backend 'notes-rag': question key 'Bad Key' is not allowed",
    ),
    "requirement": (
        replace(GOOD, dependencies=("not a req !!",)),
        "backend 'notes-rag': dependencies: 'not a req !!' is not a PEP 508 requirement",
    ),
    "dev requirement": (
        replace(GOOD, dev_dependencies=("pytest>=8\nevil",)),
        "backend 'notes-rag': dev_dependencies: 'pytest>=8\\nevil' is not a PEP 508",
    ),
    "secret example": (
        replace(GOOD, env=(EnvVar("NOTES_KEY", "Key", "sk-proj-4f9Qa81LmZx0Rt7YpW2c", True),)),
        "backend 'notes-rag': env NOTES_KEY: the example of a secret looks like a real key",
    ),
    "env name": (
        replace(GOOD, env=(EnvVar("notes key", "Key"),)),
        "backend 'notes-rag': env 'notes key' is not allowed",
    ),
    "module": (
        replace(GOOD, commands=("notes/commands.py",)),
        "backend 'notes-rag': commands: 'notes/commands.py' is not a dotted module name",
    ),
    "description": (
        replace(GOOD, description="two\nlines"),
        "backend 'notes-rag': description 'two\\nlines' must be one non-empty line",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_registered_data_is_one_line_naming_the_plugin_and_field(case):
    backend, expected = BAD_DATA[case]

    with plugin_registered(Registers(backend), name="rules") as manager, pytest.raises(
        PluginError
    ) as err:
        manager.backends()

    assert err.value.message.startswith(f"plugin 'rules': {expected}"), err.value.message
    assert "\n" not in err.value.message


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_registered_data_leaves_the_backend_out_when_lenient(case):
    errors, backends = lenient_errors(BAD_DATA[case][0], replace(GOOD, name="other-rag"))

    assert len(errors) == 1
    assert list(backends) == ["other-rag"]


def test_valid_data_passes_every_rule():
    good = replace(
        GOOD,
        questions=(Question("tone", "choice", "Tone?", choices=("a", "b"), default="b"),),
        dependencies=("psycopg[binary]>=3.2", "tomli>=2; python_version < '3.11'"),
        env=(EnvVar("NOTES_URL", "URL", "postgresql://u:change-me@127.0.0.1/db", secret=True),
             EnvVar("NOTES_KEY", "Key", "sk-...", secret=True)),
        commands=("notes_rag.commands",),
    )

    errors, backends = lenient_errors(good)

    assert errors == []
    assert list(backends) == ["notes-rag"]


def test_register_questions_follows_the_same_rules():
    errors, _ = lenient_errors(Question("top_k", "float", "How many?", default=3.0),
                               Question("tone", "choice", "?", choices=("a",), default="b"))

    assert errors == [
        "question 'top_k': kind 'float' is not allowed (allowed: choice, int, number, bool, str)",
        "question 'tone': default 'b' is not allowed (allowed: one of a)",
    ]


def test_the_built_in_backends_pass_every_rule():
    # A rule too strict for advisor's own plugins would be one nobody can follow.
    os.environ.pop("ADVISOR_LOAD_PLUGINS", None)
    manager = plugins.Plugins(strict=True)
    manager.load_entry_points()

    assert {"hf-lora", "openai-finetune", "weaviate-rag"} <= set(manager.backends())


# --- 6: links in a plugin's template folder ----------------------------------------------


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_symlink_in_a_plugin_template_folder_is_refused(tmp_path, kind):
    template = tmp_path / "links"
    (template / "files").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0\n")
    if kind == "file":
        (template / "files" / "passwd").symlink_to(outside / "secret.txt")
        link = "files/passwd"
    else:
        (template / "files" / "data").symlink_to(outside, target_is_directory=True)
        link = "files/data"

    errors, backends = lenient_errors(replace(GOOD, template_dir=template))

    assert errors == [f"backend 'notes-rag': template_dir: {link} is a symbolic link; template "
                      "folders may hold none (a link could read files outside the folder)"]
    assert backends == {}


def test_a_symlink_added_after_registration_is_refused_when_rendering(tmp_path):
    template = tmp_path / "late"
    (template / "files").mkdir(parents=True)
    (template / "files" / "ok.txt").write_text("fine\n")
    backend = replace(GOOD, template_dir=template)
    with plugin_registered(Registers(backend), name="rules") as manager:
        manager.backends()
        (template / "files" / "passwd").symlink_to("/etc/passwd")
        result = invoke(["scaffold", str(tmp_path / "out"), "--backend", "notes-rag",
                         "--no-input"], catch_exceptions=True)

    assert result.exit_code != 0
    assert "files/passwd is a symbolic link" in result.stderr
    assert not (tmp_path / "out" / "passwd").exists()


# --- issue 15, 11: KeyboardInterrupt at import, timeouts, built-ins not displaceable -----


@pytest.fixture
def site(tmp_path, monkeypatch) -> Iterator[FakeSite]:
    fake = FakeSite(tmp_path / "site")
    fake.path.mkdir()
    monkeypatch.syspath_prepend(str(fake.path))
    yield fake
    for module in fake.modules:
        sys.modules.pop(module, None)


@pytest.mark.parametrize("raised", ["KeyboardInterrupt", "BaseException", "SystemExit(3)"])
def test_a_plugin_raising_a_base_exception_at_import_leaves_help_working(site, raised):
    site.add("advisor-rude", "1.0", {"rude": "rude_plugin"},
             {"rude_plugin": f"raise {raised}\n"})

    helped = invoke(["--help"])
    listed = invoke(["plugins", "--format", "json"])

    assert helped.exit_code == 0
    assert "decide" in helped.stdout
    assert "plugin 'rude' (advisor-rude 1.0): failed to load: " in helped.stderr
    [rude] = [e for e in json.loads(listed.stdout) if e["name"] == "rude"]
    assert rude["errors"][0].startswith("failed to load: " + raised.split("(")[0])


def test_a_real_ctrl_c_while_a_plugin_imports_still_stops_advisor(site):
    # The plugin's import is interrupted by an actual SIGINT, not by its own raise.
    site.add("advisor-slow", "1.0", {"slow": "slow_plugin"},
             {"slow_plugin": "import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n"})

    result = site.run_advisor("--help")

    assert result.returncode == 1
    assert result.stderr.strip() == "Aborted!"  # click's answer to Ctrl-C
    assert "Usage:" not in result.stdout


def test_a_plugin_raising_keyboard_interrupt_in_a_hook_is_reported():
    class Rude:
        @hookimpl
        def register_backends(self, register):
            raise KeyboardInterrupt

    with plugin_registered(Rude(), name="rude", strict=False) as manager:
        assert dict(manager.backends()) == {}
        assert manager.info["rude"].errors == ["hook register_backends raised KeyboardInterrupt"]


def test_a_hook_that_hangs_is_reported_after_the_timeout(monkeypatch):
    monkeypatch.setenv("ADVISOR_HOOK_TIMEOUT", "0.2")

    class Hangs:
        @hookimpl
        def register_backends(self, register):
            time.sleep(5)
            register(GOOD)

    started = time.perf_counter()
    with plugin_registered(Hangs(), name="hangs", strict=False) as manager:
        backends = dict(manager.backends())
        manager.add(Registers(replace(GOOD, name="other-rag")), "other")
        manager._cache.clear()
        both = dict(manager.backends())
    took = time.perf_counter() - started

    assert backends == {}
    assert list(both) == ["other-rag"]
    assert manager.info["hangs"].errors == [
        "hook register_backends did not finish within 0.2 s (ADVISOR_HOOK_TIMEOUT); what it "
        "registered is not used"
    ]
    assert took < 4


def test_a_bad_hook_timeout_is_one_line(monkeypatch):
    monkeypatch.setenv("ADVISOR_HOOK_TIMEOUT", "soon")

    with plugin_registered(Registers(GOOD), name="rules"):
        result = invoke(["plugins"])

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: ADVISOR_HOOK_TIMEOUT 'soon': not usable (allowed: a number of seconds > 0)\n"
    )


def test_an_entry_point_named_like_a_built_in_does_not_switch_it_off(site):
    site.add("advisor-impostor", "6.6.6", {"weaviate-rag": "impostor_plugin"},
             {"impostor_plugin": backend_plugin("impostor-rag")})

    manager = plugins.get_plugins()
    backends = manager.backends()
    listed = invoke(["plugins", "--format", "json"])

    assert manager.backend_owner("weaviate-rag").distribution == "llm-advisor"
    assert "impostor-rag" not in backends
    assert "impostor_plugin" not in sys.modules
    impostor = [e for e in json.loads(listed.stdout) if e["distribution"] == "advisor-impostor"]
    assert impostor[0]["errors"] == [
        "entry point name 'weaviate-rag' is a built-in advisor plugin's; this one is not loaded "
        "(to replace the built-in, set ADVISOR_LOAD_PLUGINS to leave it out)"
    ]


def test_a_third_party_backend_named_like_a_built_in_cannot_be_used(site, tmp_path):
    site.add("advisor-impostor", "6.6.6", {"impostor": "impostor_plugin"},
             {"impostor_plugin": backend_plugin("weaviate-rag")})

    manager = plugins.get_plugins()
    backend = manager.backends()["weaviate-rag"]

    assert manager.backend_owner("weaviate-rag").distribution == "llm-advisor"
    assert backend.template_dir.name == "weaviate-rag"
    assert manager.info["impostor"].errors == [
        "backend name 'weaviate-rag' is the built-in plugin 'weaviate-rag''s; the plugin's is "
        "not used"
    ]


def test_leaving_the_built_in_out_lets_a_replacement_take_its_name(site, monkeypatch):
    site.add("advisor-mine", "1.0", {"mine": "mine_plugin"},
             {"mine_plugin": backend_plugin("weaviate-rag")})
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "mine")

    manager = plugins.get_plugins()

    assert manager.backend_owner("weaviate-rag").distribution == "advisor-mine"


def test_the_built_in_table_matches_the_declared_entry_points():
    from importlib import metadata

    declared = {ep.name: ep.value for ep in metadata.distribution("llm-advisor").entry_points
                if ep.group == "advisor"}

    assert declared == BUILTINS


# --- 8: slow imports are measured and flagged ---------------------------------------------


def test_a_slow_plugin_import_is_flagged_by_advisor_plugins(site, monkeypatch):
    monkeypatch.setattr(plugins, "SLOW_IMPORT_S", 0.05)
    site.add("advisor-slow", "1.0", {"slow": "slow_plugin"},
             {"slow_plugin": "import time\ntime.sleep(0.2)\n" + dedent(backend_plugin("slow-rag"))})
    site.add("advisor-quick", "1.0", {"quick": "quick_plugin"},
             {"quick_plugin": backend_plugin("quick-rag")})

    table = invoke(["plugins"]).stdout
    entries = {e["name"]: e for e in json.loads(invoke(["plugins", "--format", "json"]).stdout)}

    assert entries["slow"]["import_ms"] >= 200
    assert entries["slow"]["notes"][0].startswith("importing slow_plugin took 0.2")
    assert entries["quick"]["notes"] == []
    assert "    SLOW: importing slow_plugin took" in table
    assert table.count("SLOW:") == 1


# --- issue 15, 11: each doctor check has its own deadline ---------------------------------


class SlowChecks:
    """Two checks that take ``seconds`` each, and one that never ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @hookimpl
    def register_doctor_checks(self, register):
        def slow(settings):
            time.sleep(self.seconds)
            return CheckResult("ok", "slow but fine")

        def hangs(settings):
            time.sleep(30)
            return CheckResult("ok", "too late")

        register(Check("slow-1", slow))
        register(Check("hangs", hangs))
        register(Check("slow-2", slow))


@pytest.mark.usefixtures("clean_env")
def test_a_doctor_check_that_hangs_fails_alone_and_the_others_get_their_own_time(monkeypatch):
    monkeypatch.setenv("ADVISOR_CHECK_TIMEOUT", "0.6")
    started = time.perf_counter()
    with plugin_registered(SlowChecks(0.4), name="slow"):
        result = invoke(["doctor", "--format", "json"])
    took = time.perf_counter() - started

    found = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert result.exit_code == 1
    # 0.4 s each is within a 0.6 s deadline per check, though not within 0.6 s in total.
    assert found["slow-1"]["status"] == found["slow-2"]["status"] == "ok"
    assert found["hangs"] == {
        "name": "hangs", "backend": None, "status": "fail",
        "summary": "the check did not finish within 0.6 s",
        "fix": "check the service it reaches, or raise ADVISOR_CHECK_TIMEOUT (seconds)",
    }
    assert took < 10
