"""Unit tests of the splitter: sizes, overlap, structure first, offsets, headings."""

from __future__ import annotations

import itertools

import pytest

from {{ package }}.rag.chunking import markdown_sections, split_text


def words(count: int, seed: int = 0) -> str:
    """``count`` words of varied length, the same for the same seed."""
    vocabulary = ["alpha", "be", "gamma", "delta", "epsilonic", "zeta", "etaeta"]
    return " ".join(vocabulary[(i * 3 + seed) % len(vocabulary)] for i in range(count))


@pytest.mark.parametrize(("size", "overlap"), [(50, 0), (80, 20), (200, 50), (1000, 150)])
def test_chunks_respect_the_size_and_point_back_into_the_text(size: int, overlap: int):
    text = "\n\n".join(words(n, seed=n) for n in (5, 40, 300, 12, 90))
    chunks = split_text(text, size, overlap)
    assert chunks
    for chunk in chunks:
        assert 0 < len(chunk.text) <= size
        assert text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts)), "chunks move forward"


def test_every_word_of_the_text_lands_in_some_chunk():
    text = "\n".join(words(n, seed=n) for n in range(1, 60))
    chunks = split_text(text, 120, 30)
    covered = [False] * len(text)
    for chunk in chunks:
        for i in range(chunk.start, chunk.start + len(chunk.text)):
            covered[i] = True
    missed = [ch for ch, hit in zip(text, covered, strict=True) if not hit and not ch.isspace()]
    assert missed == []


def test_paragraphs_are_preferred_over_lines_sentences_and_words():
    first = "First paragraph. " * 3
    second = "Second paragraph runs on. " * 3
    text = f"{first.strip()}\n\n{second.strip()}"
    chunks = split_text(text, len(first) + 10, 0)
    assert chunks[0].text == first.strip()
    assert chunks[1].text.startswith("Second paragraph")


def test_sentences_before_words_when_no_break_fits():
    text = "One short sentence. Another sentence follows here and goes on and on"
    chunks = split_text(text, 40, 0)
    assert chunks[0].text == "One short sentence."


def test_a_word_longer_than_the_chunk_is_cut_hard():
    text = "x" * 250
    chunks = split_text(text, 100, 0)
    assert [len(c.text) for c in chunks] == [100, 100, 50]


def test_overlap_repeats_the_end_of_the_previous_chunk_from_a_word_start():
    text = words(400)
    chunks = split_text(text, 100, 30)
    for previous, current in itertools.pairwise(chunks):
        shared = previous.start + len(previous.text) - current.start
        assert 0 < shared <= 30
        assert text[current.start - 1] == " ", "overlap starts at a word"


def test_markdown_splits_at_headings_and_records_the_heading_path():
    text = (
        "# Guide\n\nIntro text.\n\n## Dosage\n\nTake one.\n\n"
        "```bash\n# not a heading\necho hi\n```\n\n"
        "### Children\n\nHalf a dose.\n\n## Storage ##\n\nCool."
    )
    chunks = split_text(text, 500, 0, markdown=True)
    assert [c.heading for c in chunks] == [
        "Guide",
        "Guide > Dosage",
        "Guide > Dosage > Children",
        "Guide > Storage",
    ]
    assert chunks[1].text.startswith("Take one.")
    assert "# not a heading" in chunks[1].text, "code fences are not split"
    assert not any(c.text.startswith("#") for c in chunks), "heading lines travel as paths"


def test_headings_with_nothing_under_them_make_no_section():
    text = "# Title\n## Part\n\nBody."
    assert markdown_sections(text) == [(text.index("\n\nBody") , len(text), "Title > Part")]


def test_korean_sentences_are_split_at_their_ends():
    text = "고혈압은 흔한 질환입니다. 생활습관 개선이 중요합니다. 정기적으로 혈압을 측정하십시오."
    chunks = split_text(text, 20, 0)
    assert chunks[0].text == "고혈압은 흔한 질환입니다."
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(("size", "overlap", "markdown"), [(60, 0, False), (200, 40, False),
                                                       (5000, 100, False), (80, 20, True)])
def test_no_chunk_spans_a_break_so_each_cites_one_page(size: int, overlap: int, markdown: bool):
    pages = ["# Part\n\n" + words(30, seed=1), words(45, seed=2), words(3, seed=3), words(60)]
    text = "\n\n".join(pages)
    breaks = list(itertools.accumulate(len(page) + 2 for page in pages[:-1]))
    chunks = split_text(text, size, overlap, markdown=markdown, breaks=breaks)
    for chunk in chunks:
        end = chunk.start + len(chunk.text)
        assert not any(chunk.start < b < end for b in breaks), (chunk.start, end)
    covered = " ".join(chunk.text for chunk in chunks)
    assert all(word in covered for word in words(60).split())


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="chunk_overlap"):
        split_text("text", 100, 100)
    with pytest.raises(ValueError, match="chunk_size"):
        split_text("text", 0)
