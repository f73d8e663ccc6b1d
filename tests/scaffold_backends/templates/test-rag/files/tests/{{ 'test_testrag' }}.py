"""Tests of the test RAG backend inside the generated project."""

from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.testrag.systems import lookup, systems


def test_collection_command_is_registered():
    result = CliRunner().invoke(main, ["collection"])
    assert result.exit_code == 0
    assert result.output.strip() == {{ answers.test_collection | py }}


def test_lookup_answers_from_the_corpus():
    assert set(systems()) == {"lookup"}
    prediction = lookup("What is the first-line drug for type 2 diabetes?")
    assert prediction.answer == "metformin"
    assert prediction.sources == ["data/corpus/diabetes.md"]


def test_evaluate_runs_on_the_shipped_set(tmp_path):
    out = tmp_path / "results.json"
    result = CliRunner().invoke(main, ["evaluate", "--system", "lookup", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "lookup" in result.output
    assert out.exists()
