"""Plugins found through real entry points: listing, load control, broken plugins, collisions.

Each test installs small distributions into a tmp "site-packages" (``plugin_dists``) that
``importlib.metadata`` discovers exactly as it discovers pip-installed ones.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
import yaml
from plugin_dists import FakeSite, backend_plugin

from advisor import plugins
from advisor.testing import invoke

CORE_ANSWERS = {
    "volatility": "monthly",
    "format": "light",
    "latency_ms": 3000,
    "budget_usd": 500,
    "documents": 300,
}

# A plugin that uses every hook, so one broken variant per hook can be derived from it.
FULL_PLUGIN = """
    from pathlib import Path

    import click

    from advisor.api import Backend, Check, CheckResult, Question, hookimpl


    @hookimpl
    def register_backends(register):
        {fail_register_backends}
        register(Backend(
            name="{prefix}-rag",
            approaches=("rag",),
            description="RAG from {prefix}",
            template_dir=Path(__file__).parent,
        ))


    @hookimpl
    def register_questions(register):
        {fail_register_questions}
        register(Question("{prefix}_tone", "choice", "Tone?", choices=("plain", "formal"),
                          default="plain"))


    @hookimpl
    def register_commands(cli):
        {fail_register_commands}

        @cli.command(name="{prefix}-hello")
        def hello():
            click.echo("hello from {prefix}")


    @hookimpl
    def register_doctor_checks(register):
        {fail_register_doctor_checks}
        register(Check("{prefix}-reachable", lambda settings: CheckResult("ok", "fine")))
"""

HOOKS = ("register_backends", "register_questions", "register_commands", "register_doctor_checks")


def full_plugin(prefix: str, failing_hook: str | None = None) -> str:
    fails = {f"fail_{hook}": "pass" for hook in HOOKS}
    if failing_hook:
        fails[f"fail_{failing_hook}"] = f"raise RuntimeError('boom in {failing_hook}')"
    return FULL_PLUGIN.format(prefix=prefix, **fails)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Iterator[FakeSite]:
    """A tmp site on sys.path, a fresh plugin manager, and no ADVISOR_* variables."""
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("ADVISOR_STRICT_PLUGINS", raising=False)
    fake = FakeSite(tmp_path / "site")
    fake.path.mkdir()
    monkeypatch.syspath_prepend(str(fake.path))
    plugins.reset()
    yield fake
    plugins.reset()
    for module in fake.modules:
        sys.modules.pop(module, None)


def listed(args=("plugins", "--format", "json")) -> dict[str, dict]:
    result = invoke(list(args))
    assert result.exit_code == 0, result.output
    return {entry["name"]: entry for entry in json.loads(result.stdout)}


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


# --- an installed plugin is listed and usable -------------------------------------------


def test_installed_plugin_is_listed_in_json_with_distribution_version_hooks_backends(site):
    site.add("advisor-demo", "1.4.2", {"demo": "demo_plugin"}, {"demo_plugin": full_plugin("demo")})

    entry = listed()["demo"]

    assert entry["distribution"] == "advisor-demo"
    assert entry["version"] == "1.4.2"
    assert entry["module"] == "demo_plugin"
    assert entry["hooks"] == sorted(HOOKS)
    assert entry["backends"] == [
        {"name": "demo-rag", "approaches": ["rag"], "description": "RAG from demo"}
    ]
    assert entry["questions"] == ["demo_tone"]
    assert entry["commands"] == ["demo-hello"]
    assert entry["checks"] == ["demo-reachable"]
    assert entry["errors"] == []


def test_installed_plugin_is_listed_in_the_text_table(site):
    site.add("advisor-demo", "1.4.2", {"demo": "demo_plugin"}, {"demo_plugin": full_plugin("demo")})

    result = invoke(["plugins"])

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PLUGIN", "DISTRIBUTION", "VERSION", "HOOKS"]
    row = next(line for line in lines if line.startswith("demo "))
    assert row.split()[:3] == ["demo", "advisor-demo", "1.4.2"]
    assert "register_backends, register_commands" in row
    assert "    backend demo-rag [rag]: RAG from demo" in lines
    assert "ERROR" not in result.stdout


def test_installed_plugin_backend_is_usable_and_owned_by_its_distribution(site):
    site.add("advisor-demo", "1.4.2", {"demo": "demo_plugin"}, {"demo_plugin": full_plugin("demo")})

    manager = plugins.get_plugins()

    assert manager.backends()["demo-rag"].approaches == ("rag",)
    assert manager.backend_owner("demo-rag").distribution == "advisor-demo"


def test_plugin_command_and_question_work_through_the_cli(site, tmp_path):
    site.add("advisor-demo", "1.4.2", {"demo": "demo_plugin"}, {"demo_plugin": full_plugin("demo")})
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**CORE_ANSWERS, "demo_tone": "loud"}))

    assert invoke(["demo-hello"]).stdout == "hello from demo\n"
    assert "demo-hello" in invoke(["--help"]).stdout
    refused = invoke(["decide", "--answers", str(answers)])
    assert refused.exit_code == 2
    assert "demo_tone" in refused.stderr and "'loud'" in refused.stderr


# --- broken plugins ---------------------------------------------------------------------

BROKEN = {
    "import": ("    import advisor_no_such_dependency\n", "failed to load: ModuleNotFoundError"),
    **{
        hook: ("", f"hook {hook} raised RuntimeError: boom in {hook}")
        for hook in HOOKS
    },
}


def install_good_and_broken(site: FakeSite, failure: str) -> None:
    site.add("advisor-good", "1.0", {"good": "good_plugin"}, {"good_plugin": full_plugin("good")})
    prefix, _ = BROKEN[failure]
    hook = None if failure == "import" else failure
    site.add(
        "advisor-broken",
        "0.1",
        {"broken": "broken_plugin"},
        {"broken_plugin": prefix + full_plugin("broken", hook)},
    )


@pytest.mark.parametrize("failure", sorted(BROKEN))
def test_broken_plugin_leaves_plugins_working_with_one_warning(site, failure):
    install_good_and_broken(site, failure)

    result = invoke(["plugins", "--format", "json"])

    assert result.exit_code == 0
    entries = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert entries["good"]["backends"][0]["name"] == "good-rag"
    assert entries["good"]["errors"] == []
    expected = BROKEN[failure][1]
    assert len(entries["broken"]["errors"]) == 1
    assert entries["broken"]["errors"][0].startswith(expected)
    [warning] = warnings(result)
    assert warning.startswith(f"Warning: plugin 'broken' (advisor-broken 0.1): {expected}")


@pytest.mark.parametrize("failure", sorted(BROKEN))
def test_broken_plugin_is_shown_in_the_text_table(site, failure):
    install_good_and_broken(site, failure)

    result = invoke(["plugins"])

    assert result.exit_code == 0
    assert f"    ERROR: {BROKEN[failure][1]}" in result.stdout
    assert "    backend good-rag [rag]: RAG from good" in result.stdout


@pytest.mark.parametrize("failure", sorted(BROKEN))
def test_broken_plugin_leaves_decide_and_help_working(site, tmp_path, failure):
    install_good_and_broken(site, failure)
    answers = tmp_path / "answers.yaml"
    # A plugin key in the answers makes decide consult the plugins' questions.
    answers.write_text(yaml.safe_dump({**CORE_ANSWERS, "good_tone": "formal"}))

    decided = invoke(["decide", "--answers", str(answers), "--format", "json"])
    helped = invoke(["--help"])

    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["recommendation"] == "rag"
    assert helped.exit_code == 0
    assert "good-hello" in helped.stdout
    # decide calls only the hooks it needs; whatever it called and failed, it said so once.
    shown = warnings(decided) + warnings(helped)
    assert all("plugin 'broken' (advisor-broken 0.1)" in line for line in shown)
    if failure in ("import", "register_questions", "register_commands"):
        assert len(shown) == 1


@pytest.mark.parametrize("failure", sorted(BROKEN))
def test_strict_mode_turns_a_broken_plugin_into_exit_code_1(site, monkeypatch, failure):
    install_good_and_broken(site, failure)
    monkeypatch.setenv("ADVISOR_STRICT_PLUGINS", "1")

    result = invoke(["plugins"])

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: plugin 'broken' (advisor-broken 0.1): {BROKEN[failure][1]}"
    )
    assert result.stderr.rstrip().endswith("(ADVISOR_STRICT_PLUGINS is set)")
    assert len(result.stderr.splitlines()) == 1


def test_strict_mode_fails_decide_in_a_real_process_without_traceback(site, tmp_path):
    install_good_and_broken(site, "import")
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**CORE_ANSWERS, "good_tone": "formal"}))

    lenient = site.run_advisor("decide", "--answers", str(answers))
    strict = site.run_advisor(
        "decide", "--answers", str(answers), env={"ADVISOR_STRICT_PLUGINS": "1"}
    )

    assert lenient.returncode == 0
    assert lenient.stdout.startswith("Recommendation: rag")
    assert lenient.stderr.startswith("Warning: plugin 'broken' (advisor-broken 0.1): failed to")
    assert strict.returncode == 1
    assert strict.stdout == ""
    assert "Traceback" not in strict.stderr
    assert strict.stderr.startswith("Error: plugin 'broken' (advisor-broken 0.1): failed to load")


def test_exception_in_a_hook_discards_only_what_that_call_registered(site):
    site.add("advisor-half", "1.0", {"half": "half_plugin"}, {"half_plugin": """
        from pathlib import Path

        from advisor.api import Backend, hookimpl

        @hookimpl
        def register_backends(register):
            register(Backend("half-rag", ("rag",), "registered, then failed", Path(".")))
            raise RuntimeError("after registering")
    """})
    site.add("advisor-other", "1.0", {"other": "other_plugin"},
             {"other_plugin": backend_plugin("other-rag")})

    backends = plugins.get_plugins().backends()

    assert "half-rag" not in backends
    assert "other-rag" in backends


def test_registering_something_that_is_not_a_backend_names_the_type(site):
    site.add("advisor-odd", "1.0", {"odd": "odd_plugin"}, {"odd_plugin": """
        from advisor.api import hookimpl

        @hookimpl
        def register_backends(register):
            register("weaviate-rag")
    """})

    entry = listed()["odd"]

    assert entry["errors"] == [
        "hook register_backends raised TypeError: register() takes a Backend, got 'weaviate-rag'"
    ]


# --- ADVISOR_LOAD_PLUGINS ---------------------------------------------------------------


@pytest.fixture
def two_plugins(site) -> FakeSite:
    site.add("advisor-alpha", "1.0", {"alpha": "alpha_plugin"},
             {"alpha_plugin": backend_plugin("alpha-rag")})
    site.add("Advisor_Beta", "2.0", {"beta": "beta_plugin"},
             {"beta_plugin": backend_plugin("beta-rag")})
    return site


def test_load_plugins_unset_loads_all(two_plugins):
    assert {"alpha", "beta"} <= set(listed())


def test_load_plugins_empty_loads_none(two_plugins, monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")

    assert listed() == {}
    assert plugins.get_plugins().backends() == {}
    assert invoke(["plugins"]).stdout == "No plugins loaded (ADVISOR_LOAD_PLUGINS is empty).\n"


@pytest.mark.parametrize("value", ["alpha", " alpha ,", "advisor_alpha", "ADVISOR-ALPHA"])
def test_load_plugins_by_entry_point_or_distribution_name(two_plugins, monkeypatch, value):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", value)

    assert set(listed()) == {"alpha"}
    assert set(plugins.get_plugins().backends()) == {"alpha-rag"}


def test_load_plugins_list_loads_only_those(two_plugins, monkeypatch):
    two_plugins.add("advisor-gamma", "1.0", {"gamma": "gamma_plugin"},
                    {"gamma_plugin": backend_plugin("gamma-rag")})
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "alpha,advisor-beta")

    assert set(listed()) == {"alpha", "beta"}
    assert "gamma_plugin" not in sys.modules


def test_load_plugins_warns_about_a_name_that_is_not_installed(two_plugins, monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "alpha,alhpa")

    result = invoke(["plugins", "--format", "json"])

    assert result.exit_code == 0
    assert [e["name"] for e in json.loads(result.stdout)] == ["alpha"]
    [warning] = warnings(result)
    assert "ADVISOR_LOAD_PLUGINS names 'alhpa', which is not an installed plugin" in warning


def test_load_plugins_switches_off_a_built_in_so_a_replacement_can_take_its_name(
    site, monkeypatch
):
    # "llm-advisor-builtins" stands in for a built-in backend plugin; "my-vector" replaces it.
    site.add("llm-advisor-builtins", "0.1.0", {"vector": "builtin_vector"},
             {"builtin_vector": backend_plugin("vector-rag")})
    site.add("my-vector", "3.0", {"my-vector": "my_vector"},
             {"my_vector": backend_plugin("vector-rag")})

    both = plugins.get_plugins().backends()
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "my-vector")
    plugins.reset()
    replaced = plugins.get_plugins()

    assert "vector-rag" not in both
    assert "vector" not in replaced.info
    assert replaced.backend_owner("vector-rag").distribution == "my-vector"


# --- collisions -------------------------------------------------------------------------


def test_two_plugins_registering_one_backend_name_is_an_error_naming_both(site):
    site.add("advisor-one", "1.0", {"one": "one_plugin"}, {"one_plugin": backend_plugin("dup-rag")})
    site.add("advisor-two", "2.5", {"two": "two_plugin"}, {"two_plugin": backend_plugin("dup-rag")})

    result = invoke(["plugins", "--format", "json"])

    entries = {entry["name"]: entry for entry in json.loads(result.stdout)}
    message = "backend name 'dup-rag' is registered by both advisor-one 1.0 and advisor-two 2.5"
    for name in ("one", "two"):
        assert entries[name]["backends"] == []
        assert entries[name]["errors"] == [message + "; neither is used"]
    assert "dup-rag" not in plugins.get_plugins().backends()
    assert len(warnings(result)) == 2


def test_backend_name_collision_is_fatal_when_strict(site, monkeypatch):
    site.add("advisor-one", "1.0", {"one": "one_plugin"}, {"one_plugin": backend_plugin("dup-rag")})
    site.add("advisor-two", "2.5", {"two": "two_plugin"}, {"two_plugin": backend_plugin("dup-rag")})
    monkeypatch.setenv("ADVISOR_STRICT_PLUGINS", "1")

    result = invoke(["plugins"])

    assert result.exit_code == 1
    assert "registered by both advisor-one 1.0 and advisor-two 2.5" in result.stderr


def test_a_plugin_cannot_replace_a_core_command_or_question(site, tmp_path):
    site.add("advisor-greedy", "1.0", {"greedy": "greedy_plugin"}, {"greedy_plugin": """
        import click

        from advisor.api import Question, hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command(name="decide")
            def decide():
                click.echo("hijacked")

        @hookimpl
        def register_questions(register):
            register(Question("budget_usd", "str", "Budget, as words."))
    """})
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(CORE_ANSWERS))

    errors = listed()["greedy"]["errors"]  # loads the plugin and its commands first
    decided = invoke(["decide", "--answers", str(answers)])

    assert "command 'decide' is advisor's own; the plugin's is not used" in errors
    assert "question key 'budget_usd' is advisor's own; the plugin's is not used" in errors
    assert "hijacked" not in decided.stdout
    assert decided.stdout.startswith("Recommendation: rag")


def test_two_distributions_with_one_entry_point_name_load_neither(site):
    site.add("advisor-first", "1.0", {"same": "first_plugin"},
             {"first_plugin": backend_plugin("first-rag")})
    site.add("advisor-second", "1.0", {"same": "second_plugin"},
             {"second_plugin": backend_plugin("second-rag")})

    entry = listed()["same"]

    assert entry["errors"] == [
        "plugin name is claimed by both advisor-first 1.0 and advisor-second 1.0; "
        "neither is loaded"
    ]
    assert plugins.get_plugins().backends().keys().isdisjoint({"first-rag", "second-rag"})


def test_naming_one_distribution_settles_a_shared_entry_point_name(site, monkeypatch):
    site.add("advisor-first", "1.0", {"same": "first_plugin"},
             {"first_plugin": backend_plugin("first-rag")})
    site.add("advisor-second", "1.0", {"same": "second_plugin"},
             {"second_plugin": backend_plugin("second-rag")})
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "advisor-second")

    entry = listed()["same"]

    assert (entry["distribution"], entry["errors"]) == ("advisor-second", [])
    assert "second-rag" in plugins.get_plugins().backends()


# --- check_pending and other invalid plugins ---------------------------------------------


def test_check_pending_reports_a_misspelled_hook(site):
    site.add("advisor-typo", "1.0", {"typo": "typo_plugin"}, {"typo_plugin": """
        from advisor.api import hookimpl

        @hookimpl
        def register_backend(register):
            pass
    """})

    result = invoke(["plugins", "--format", "json"])

    [entry] = [e for e in json.loads(result.stdout) if e["name"] == "typo"]
    assert entry["hooks"] == []
    assert entry["errors"] == [
        "unknown hook register_backend (did you mean register_backends?); known hooks: "
        "register_backends, register_catalogs, register_commands, register_cost_options, "
        "register_doctor_checks, register_questions"
    ]
    [warning] = warnings(result)
    assert "unknown hook register_backend" in warning


def test_misspelled_hook_argument_is_refused(site):
    site.add("advisor-args", "1.0", {"args": "args_plugin"}, {"args_plugin": """
        from advisor.api import hookimpl

        @hookimpl
        def register_backends(regster):
            pass
    """})

    [error] = listed()["args"]["errors"]

    assert error.startswith("invalid plugin: Plugin 'args' for hook 'register_backends'; ")
    assert "Argument(s) {'regster'} are declared in the hookimpl" in error
    assert "\n" not in error


def test_hook_wrappers_are_refused_rather_than_silently_skipped(site):
    site.add("advisor-wrap", "1.0", {"wrap": "wrap_plugin"}, {"wrap_plugin": """
        from advisor.api import hookimpl

        @hookimpl(wrapper=True)
        def register_backends(register):
            return (yield)
    """})

    assert listed()["wrap"]["errors"] == [
        "hook register_backends is a wrapper; advisor hooks are plain functions"
    ]


# --- cheap discovery ---------------------------------------------------------------------

HEAVY_PLUGIN = """
    import click

    from advisor.api import hookimpl


    @hookimpl
    def register_commands(cli):
        @cli.command(name="heavy")
        def heavy():
            import fake_heavy_sdk

            click.echo(fake_heavy_sdk.GREETING)
"""


def test_help_loads_plugins_without_importing_their_heavy_dependencies(site):
    site.add("advisor-heavy", "1.0", {"heavy": "heavy_plugin"}, {
        "heavy_plugin": HEAVY_PLUGIN,
        "fake_heavy_sdk": "GREETING = 'the heavy SDK is loaded'\n",
    })
    report = (
        "import json\n"
        "names = ['heavy_plugin', 'fake_heavy_sdk', 'openai', 'weaviate', 'pydantic_settings']\n"
        "print(json.dumps({n: n in sys.modules for n in names}), file=sys.stderr)\n"
    )

    helped = site.run_advisor("--help", code=report)
    used = site.run_advisor("heavy", code=report)

    assert helped.returncode == 0, helped.stderr
    assert "heavy" in helped.stdout
    loaded = json.loads(helped.stderr.splitlines()[-1])
    assert loaded == {
        "heavy_plugin": True,
        "fake_heavy_sdk": False,
        "openai": False,
        "weaviate": False,
        "pydantic_settings": False,
    }
    # The dependency is real and importable: the command itself pulls it in.
    assert used.stdout == "the heavy SDK is loaded\n"
    assert json.loads(used.stderr.splitlines()[-1])["fake_heavy_sdk"] is True


def test_version_and_core_commands_without_plugin_answers_do_not_load_plugins(site):
    site.add("advisor-heavy", "1.0", {"heavy": "heavy_plugin"}, {"heavy_plugin": HEAVY_PLUGIN})
    probe = (
        "names = ['heavy_plugin', 'fake_heavy_sdk', 'advisor_hf_lora', 'pluggy']\n"
        "print(*[n in sys.modules for n in names], file=sys.stderr)\n"
    )
    answers = ["--set", "volatility=static", "--set", "format=none"]
    answers += ["--set", "latency_ms=100", "--set", "budget_usd=10"]
    built_ins = {"ADVISOR_LOAD_PLUGINS": "hf-lora,openai-finetune,weaviate-rag"}

    version = site.run_advisor("--version", code=probe)
    decided_alone = site.run_advisor("decide", *answers, code=probe, env=built_ins)
    decided = site.run_advisor("decide", *answers, code=probe)
    helped = site.run_advisor("--help", code=probe)

    assert version.stderr.splitlines()[-1] == "False False False False"
    assert decided_alone.returncode == decided.returncode == 0, decided.stderr
    # Built-ins price no option of their own: with only those, decide loads no plugin.
    assert decided_alone.stderr.splitlines()[-1] == "False False False False"
    # A third-party plugin may (register_cost_options): its light module loads, its SDK not.
    assert decided.stderr.splitlines()[-1] == "True False True True"
    assert helped.stderr.splitlines()[-1].startswith("True False")
