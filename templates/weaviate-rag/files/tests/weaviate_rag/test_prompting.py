"""Unit tests of the prompt and the printed sources."""

from __future__ import annotations

from {{ package }}.rag.prompting import Hit, build_messages, format_sources, source_files

HITS = [
    Hit("Keep sodium below 2,000 mg.", "corpus/hypertension.md", heading="Lifestyle"),
    Hit("Metformin first.", "docs/guide.pdf", page=3),
    Hit("Sodium again.", "corpus/hypertension.md", heading="Targets"),
]


def test_the_prompt_numbers_each_source_and_carries_the_question():
    messages = build_messages("How much sodium?", HITS)
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert "[1] corpus/hypertension.md (Lifestyle)\nKeep sodium below 2,000 mg." in user
    assert "[2] docs/guide.pdf, page 3\nMetformin first." in user
    assert user.rstrip().endswith("Question: How much sodium?")
    assert "only the numbered sources" in messages[0]["content"]


def test_without_sources_the_prompt_says_so():
    assert "(no sources were found)" in build_messages("q", [])[1]["content"]


def test_sources_print_file_and_page_with_the_prompt_numbers():
    assert format_sources(HITS).splitlines() == [
        "Sources:",
        "  [1] corpus/hypertension.md (Lifestyle)",
        "  [2] docs/guide.pdf, page 3",
        "  [3] corpus/hypertension.md (Targets)",
    ]
    assert format_sources([]) == "Sources: none found"


def test_source_files_are_distinct_file_names_in_rank_order():
    assert source_files(HITS) == ["hypertension.md", "guide.pdf"]
