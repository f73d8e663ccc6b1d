"""Settings layers, provenance, plugin sections, ``config show`` and bad config files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import doctor_env
import pytest
from click.testing import CliRunner
from doctor_fakes import KEY

from advisor.cli import cli
from advisor.errors import InputError
from advisor.settings import load_settings, mask

clean_env = doctor_env.clean_env
pytestmark = pytest.mark.usefixtures("clean_env")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_file(tmp: Path) -> Path:
    return tmp / "user" / "config.toml"


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.openai_api_key is None
    assert settings.openai_base_url == "https://api.openai.com/v1"
    assert settings.timeout_s == 5.0
    assert settings.origin("timeout_s") == "default"


def test_environment_beats_project_file_beats_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(user_file(tmp_path), 'timeout_s = 9\nweaviate_url = "http://user:8080"\n'
          'openai_base_url = "http://user/v1"\n')
    project = write(tmp_path / "advisor.toml", 'timeout_s = 3\nweaviate_url = "http://proj:8080"\n')
    monkeypatch.setenv("ADVISOR_TIMEOUT_S", "1.5")

    settings = load_settings()

    assert settings.timeout_s == 1.5
    assert settings.origin("timeout_s") == "env ADVISOR_TIMEOUT_S"
    assert settings.weaviate_url == "http://proj:8080"
    assert settings.origin("weaviate_url") == f"file {project}"
    assert settings.openai_base_url == "http://user/v1"
    assert settings.origin("openai_base_url") == f"file {user_file(tmp_path)}"


def test_provider_variables_are_honoured_and_named_as_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("WEAVIATE_URL", "http://localhost:8080")
    monkeypatch.setenv("ADVISOR_WEAVIATE_URL", "http://prefixed:8080")

    settings = load_settings()

    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == KEY
    assert settings.origin("openai_api_key") == "env OPENAI_API_KEY"
    assert settings.weaviate_url == "http://prefixed:8080"
    assert settings.origin("weaviate_url") == "env ADVISOR_WEAVIATE_URL"
    assert KEY not in repr(settings) and KEY not in str(settings)


def test_plugin_section_merges_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write(tmp_path / "advisor.toml",
                    '[plugins.openai-finetune]\nbase_model = "from-file"\nepochs = 2\n')
    monkeypatch.setenv("ADVISOR_PLUGINS__OPENAI_FINETUNE__EPOCHS", "4")

    settings = load_settings()
    section = settings.section("openai-finetune", {"base_model": "b", "epochs": 3, "suffix": None})

    assert (section.base_model, section.epochs, section.suffix) == ("from-file", 4, None)
    assert settings.origin("plugins.openai-finetune.base_model") == f"file {project}"
    assert (settings.origin("plugins.openai-finetune.epochs")
            == "env ADVISOR_PLUGINS__OPENAI_FINETUNE__EPOCHS")


def test_plugin_section_rejects_unknown_key_naming_the_file(tmp_path: Path) -> None:
    project = write(tmp_path / "advisor.toml", '[plugins.weaviate-rag]\ngrpc_prot = 1\n')
    with pytest.raises(InputError) as raised:
        load_settings().section("weaviate-rag", {"grpc_port": 50051})
    message = raised.value.format_message()
    assert str(project) in message
    assert "'grpc_prot'" in message and "grpc_port" in message


def test_plugin_section_rejects_wrong_type_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT", "fifty")
    with pytest.raises(InputError) as raised:
        load_settings().section("weaviate-rag", {"grpc_port": 50051})
    message = raised.value.format_message()
    assert "ADVISOR_PLUGINS__WEAVIATE_RAG__GRPC_PORT" in message
    assert "'fifty'" in message and "integer" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timeout_s = \n", "not valid TOML"),
        ("timeout_s = -1\n", "timeout_s = -1"),
        ('timeout_s = "soon"\n', "timeout_s = 'soon'"),
        ("timout_s = 2\n", "unknown key 'timout_s'"),
        ("plugins = 3\n", "plugins must hold [plugins.NAME] tables"),
    ],
)
def test_bad_config_file_is_one_line_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    project = write(tmp_path / "advisor.toml", text)
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 2
    assert str(project) in result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_bad_user_file_is_named(tmp_path: Path) -> None:
    bad = write(user_file(tmp_path), "[plugins\n")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 2
    assert f"{bad}: not valid TOML" in result.output


def test_secret_in_a_bad_value_is_masked(tmp_path: Path) -> None:
    write(tmp_path / "advisor.toml", f'[plugins.x]\napi_key = "{KEY}"\n')
    with pytest.raises(InputError) as raised:
        load_settings().section("x", {"api_key": 3})
    assert KEY not in raised.value.format_message()


def test_mask_shows_at_most_prefix_and_last_four() -> None:
    assert mask(KEY) == "sk-...cdef"
    assert mask("short-key") == "****"


def test_config_show_text_and_json_mask_secrets_and_name_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    project = write(tmp_path / "advisor.toml",
                    f'timeout_s = 2\n[plugins.weaviate-rag]\napi_token = "{KEY}"\ngrpc_port = 7\n')

    text = CliRunner().invoke(cli, ["config", "show"])
    raw = CliRunner().invoke(cli, ["config", "show", "--format", "json"])

    assert text.exit_code == raw.exit_code == 0
    for output in (text.output, raw.output):
        assert KEY not in output
    assert '"sk-...cdef"  [env OPENAI_API_KEY]' in text.output
    line = rf"^timeout_s +=\s2\.0  \[file {re.escape(str(project))}\]$"
    assert re.search(line, text.output, re.M)
    assert "(not found)" in text.output  # the user file
    data = json.loads(raw.output)
    rows = {row["key"]: row for row in data["settings"]}
    assert rows["openai_api_key"] == {"key": "openai_api_key", "value": "sk-...cdef",
                                      "source": "env OPENAI_API_KEY", "secret": True}
    assert rows["plugins.weaviate-rag.api_token"]["value"] == "sk-...cdef"
    assert rows["plugins.weaviate-rag.grpc_port"]["source"] == f"file {project}"
    assert rows["weaviate_url"] == {"key": "weaviate_url", "value": None, "source": "default",
                                    "secret": False}
    assert data["files"]["project"] == {"path": str(project), "exists": True}


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["decide", "--no-input", "--set", "volatility=static", "--set", "format=strict",
         "--set", "latency_ms=500", "--set", "budget_usd=100"],
    ],
)
def test_start_up_commands_import_no_settings_or_clients(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from advisor.cli import main\n"
        f"sys.argv = ['advisor', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "heavy = ('pydantic_settings', 'openai', 'weaviate')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert "LOADED []" in result.stdout
