"""Tests of the test fine-tuning backend inside the generated project."""

from {{ package }}.testtune.systems import MODEL, base, systems


def test_base_system_is_offered():
    assert set(systems()) == {"base"}
    assert base("anything").answer == "I do not know"
    assert MODEL == {{ answers.test_model | py }}
