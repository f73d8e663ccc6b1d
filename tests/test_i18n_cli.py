"""The command line in Korean: help pages, the questionnaire, and the human output of
``questions``, ``doctor``, ``config show`` and ``plugins`` (their JSON stays the same)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from advisor import i18n
from advisor.cli import cli

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


CORE_COMMANDS = sorted(path for path, _ in _commands(cli))


def invoke(args, env=None):
    result = CliRunner().invoke(cli, args, env=env, prog_name="advisor")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--help", "--lang", "ko"], {}),
        (["decide", "--lang", "ko", "--help"], {}),
        (["scaffold", "--help"], {"ADVISOR_LANG": "ko"}),
    ],
)
def test_help_follows_the_language_wherever_it_is_chosen(args, env):
    out = invoke(args, env)
    assert out.startswith("사용법: advisor")
    assert "옵션:" in out and "이 도움말을 보여 주고 종료합니다." in out
    assert "Usage:" not in out and "Options:" not in out


@pytest.mark.parametrize("path", CORE_COMMANDS, ids=" ".join)
def test_every_core_command_and_option_has_korean_help(path):
    """Each command's own help, and each option's, come out in Korean (no English left)."""
    command = cli
    for name in path:
        command = command.commands[name]
    out = invoke([*path, "--help"], {"ADVISOR_LANG": "ko"})
    description = out.split("\n\n")[1]
    assert HANGUL.search(description), description
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            assert HANGUL.search(param.help), f"{path} {param.opts}: {param.help}"
    english = invoke([*path, "--help"], {"ADVISOR_LANG": "en"})
    assert not HANGUL.search(english)


def test_the_command_list_shows_korean_short_help():
    out = invoke(["--lang", "ko", "--help"])
    commands = out.split("명령:\n")[1].splitlines()
    rows = [line.split(None, 1) for line in commands if line.strip()]
    assert {name for name, _ in rows} >= {"decide", "scaffold", "doctor", "questions"}
    assert all(HANGUL.search(text) for _, text in rows), rows


def test_help_is_translated_when_shown_not_when_defined():
    """The same command object gives English and Korean help in one process."""
    decide = cli.commands["decide"]
    i18n.activate("ko")
    assert HANGUL.search(decide.get_short_help_str())
    i18n.activate("en")
    assert decide.get_short_help_str() == "Recommend rag, fine-tune or hybrid, with costs."
