"""Choosing the language, and the catalogs: complete, current, compiled into the package."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner

from advisor import i18n
from advisor.cli import cli
from advisor.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted((ROOT / "src/advisor/locale").glob("*/LC_MESSAGES/advisor.po"))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "ko"),
        ({"LC_MESSAGES": "ko_KR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LC_ALL": "ko_KR", "ADVISOR_LANG": "en"}, "en"),
        ({"LANG": "en_US.UTF-8", "ADVISOR_LANG": "ko"}, "ko"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
    ],
)
def test_the_language_comes_from_advisor_lang_then_the_locale(environ, expected):
    assert i18n.choose(environ=environ) == expected


def test_an_explicit_language_wins_over_the_environment():
    assert i18n.choose("ko", environ={"ADVISOR_LANG": "en", "LC_ALL": "en_US"}) == "ko"
    assert i18n.choose("en", environ={"ADVISOR_LANG": "ko"}) == "en"


def test_an_unknown_explicit_language_is_an_error_naming_the_available_ones():
    with pytest.raises(InputError) as raised:
        i18n.choose("ja")
    assert "'ja'" in raised.value.message
    assert "en, ko" in raised.value.message


def test_an_unknown_advisor_lang_warns_once_and_falls_back_to_english(capsys):
    assert i18n.choose(environ={"ADVISOR_LANG": "ja", "LANG": "ko_KR.UTF-8"}) == "en"
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "ADVISOR_LANG='ja'" in err and "en, ko" in err


def test_lang_on_the_command_line_exits_2_with_one_line_when_unknown():
    result = CliRunner().invoke(cli, ["questions", "--lang", "xx"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --lang: 'xx' is not available; choose one of en, ko"
    ]
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("argv", [["--lang", "ko", "questions"], ["questions", "--lang=ko"]])
def test_lang_is_accepted_before_and_after_the_command(argv):
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert i18n.language() == "ko"


def test_a_plain_message_follows_the_active_language():
    option = (
        "Language of what you read: en or ko. Default: ADVISOR_LANG, then the locale "
        "(LC_ALL, LC_MESSAGES, LANG), then English."
    )
    i18n.activate("ko")
    assert i18n.gettext(option).startswith("출력 언어")
    i18n.activate("en")
    assert i18n.gettext(option) == option


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_and_none_is_fuzzy(po):
    with po.open("rb") as source:
        catalog = read_po(source)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert missing == [], f"{po.relative_to(ROOT)}: untranslated or fuzzy: {missing[:10]}"
    assert catalog.plural_forms == "nplurals=1; plural=0;"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_catalog_holds_exactly_the_messages_in_the_source(po):
    """A message added to the code but not to the catalog would show in English."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    in_source = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(ROOT, method_map, options_map)
    }
    with po.open("rb") as source:
        in_catalog = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(source)
            if message.id
        }
    assert sorted(in_source - in_catalog) == [], "run the pybabel commands in docs/i18n.md"
    assert sorted(in_catalog - in_source) == [], "obsolete entries: pybabel update drops them"
