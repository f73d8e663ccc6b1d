"""The [[ backend ]] retrieval, its ``rag`` system and its command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.[[ subpackage ]].search import passages, search
from {{ package }}.[[ subpackage ]].systems import systems

CORPUS = Path(__file__).parents[1] / "data" / "corpus"


def test_search_ranks_the_passage_that_answers_first():
    hits = search("How often should adults get the influenza vaccine?", passages(CORPUS))

    assert hits[0].source == "vaccination.md"
    assert "every year" in hits[0].text


def test_the_rag_system_cites_the_files_it_answers_from(monkeypatch):
    monkeypatch.setenv("[[ env_prefix ]]_CORPUS", str(CORPUS))

    prediction = systems()["rag"]("What is the first-line drug for type 2 diabetes?")

    assert prediction.sources[0] == "diabetes.md"


def test_no_corpus_means_no_system_rather_than_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("[[ env_prefix ]]_CORPUS", str(tmp_path / "missing"))

    assert systems() == {}


def test_the_search_command_prints_passages_with_their_files(monkeypatch):
    monkeypatch.setenv("[[ env_prefix ]]_CORPUS", str(CORPUS))

    result = CliRunner().invoke(main, ["[[ name ]]", "search", "tetanus booster"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("[vaccination.md] ")
