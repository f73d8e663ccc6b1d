"""``register_catalogs``: a plugin's own gettext catalog translates its questions, its
choice labels and its doctor checks (JSON output stays English)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.mofile import write_mo
from click.testing import CliRunner

from advisor import i18n, plugins
from advisor.api import N_, Catalog, Check, CheckResult, Message, Question, hookimpl
from advisor.cli import cli

DOMAIN = "advisor_notes"
HELP = "How many notes does the team keep?"
SUMMARY = "{count} notes found in {place}"
KOREAN = {
    (None, HELP): "팀이 보관하는 노트는 몇 개입니까?",
    (None, SUMMARY): "{place}에서 노트 {count}개를 찾았습니다",
    ("notes_store", "folder"): "폴더",
    ("notes_store", "wiki"): "위키",
}


def compile_catalog(folder: Path, domain: str = DOMAIN) -> Path:
    """``folder/ko/LC_MESSAGES/<domain>.mo`` made from KOREAN, as pybabel compile would."""
    catalog = PoCatalog(locale="ko", domain=domain)
    for (context, message), translation in KOREAN.items():
        catalog.add(message, translation, context=context)
    target = folder / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / f"{domain}.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return folder


class NotesPlugin:
    def __init__(self, catalogs: list[Catalog]):
        self.catalogs = catalogs

    @hookimpl
    def register_catalogs(self, register):
        for catalog in self.catalogs:
            register(catalog)

    @hookimpl
    def register_questions(self, register):
        register(Question("notes", "int", N_(HELP), default=3, minimum=0))
        register(Question("notes_store", "choice", N_(HELP), choices=("folder", "wiki"),
                          default="folder"))

    @hookimpl
    def register_doctor_checks(self, register):
        def count(settings):
            return CheckResult("ok", Message(N_(SUMMARY), count=3, place="/srv/notes"))

        register(Check("notes.count", count, "notes"))


@pytest.fixture
def manager(monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.delenv("ADVISOR_STRICT_PLUGINS", raising=False)
    plugins.reset()
    yield plugins.get_plugins()
    plugins.reset()


def run(*args):
    return CliRunner().invoke(cli, list(args), prog_name="advisor")


def test_hook_register_catalogs(manager, tmp_path):
    folder = compile_catalog(tmp_path / "locale")
    manager.add(NotesPlugin([Catalog(DOMAIN, folder)]), "notes")

    korean = run("questions", "--lang", "ko")
    assert f"notes (int; 기본값 3)\n    {KOREAN[(None, HELP)]}" in korean.output
    assert "folder(폴더), wiki(위키) 중 하나" in korean.output
    assert run("questions", "--lang", "en").output.count(HELP) == 2

    doctor = run("doctor", "--lang", "ko", "--backend", "notes")
    assert "정상    notes.count  /srv/notes에서 노트 3개를 찾았습니다" in doctor.output
    as_json = run("doctor", "--lang", "ko", "--backend", "notes", "--format", "json")
    [check] = [c for c in json.loads(as_json.stdout)["checks"] if c["name"] == "notes.count"]
    assert check["summary"] == "3 notes found in /srv/notes"

    # A label from the plugin's catalog is accepted as input, in any language.
    answers = run("decide", "--lang", "en", "--set", "volatility=daily", "--set",
                  "format=none", "--set", "latency_ms=900", "--set", "budget_usd=10",
                  "--set", "notes_store=위키", "--format", "json")
    assert answers.exit_code == 0, answers.output
    assert "'위키' read as wiki" in answers.stderr

    [info] = [json.loads(run("plugins", "--format", "json").stdout)[0]]
    assert info["catalogs"] == [DOMAIN] and info["errors"] == []


@pytest.mark.parametrize(
    ("catalog", "problem"),
    [
        (lambda d: Catalog("Notes-Plugin", d), "catalog domain 'Notes-Plugin' is not allowed"),
        (lambda d: Catalog(DOMAIN, str(d)), "must be a pathlib.Path"),
        (lambda d: Catalog(DOMAIN, d / "missing"), "holds no <lang>/LC_MESSAGES/advisor_notes.mo"),
        (lambda d: Catalog(i18n.DOMAIN, compile_catalog(d / "core", i18n.DOMAIN)),
         "catalog domain 'advisor' is advisor's own"),
    ],
)
def test_a_catalog_that_breaks_the_rules_is_refused_with_one_line(
    manager, tmp_path, capsys, catalog, problem
):
    manager.add(NotesPlugin([catalog(compile_catalog(tmp_path / "locale"))]), "notes")
    assert manager.catalogs() == []
    assert problem in capsys.readouterr().err
    i18n.activate("ko")
    assert i18n.gettext(HELP) == HELP or problem.endswith("advisor's own")


def test_a_domain_two_plugins_register_is_used_by_neither(manager, tmp_path, capsys):
    folder = compile_catalog(tmp_path / "locale")
    manager.add(NotesPlugin([Catalog(DOMAIN, folder)]), "one")
    manager.add(NotesPlugin([Catalog(DOMAIN, folder)]), "two")
    assert manager.catalogs() == []
    assert "catalog domain 'advisor_notes' is registered by both" in capsys.readouterr().err
