import json
from pathlib import Path

from {{ package }}.pgvector_rag.chunks import load_corpus, split

ROOT = Path(__file__).parents[1]


def test_paragraphs_are_packed_up_to_the_limit_and_long_ones_cut():
    text = "a" * 30 + "\n\n" + "b" * 30 + "\n\n" + "c" * 100

    chunks = split(text, "doc.md", max_chars=64)

    assert [len(c.text) for c in chunks] == [62, 64, 36]
    assert chunks[0].text == "a" * 30 + "\n\n" + "b" * 30
    assert [c.index for c in chunks] == [0, 1, 2]
    assert {c.source for c in chunks} == {"doc.md"}


def test_every_source_the_evaluation_cites_is_in_the_corpus():
    cited = set()
    for line in (ROOT / "evals" / "eval.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            cited.update(json.loads(line)["sources"])

    sources = {chunk.source for chunk in load_corpus(ROOT / "data" / "corpus")}

    assert cited <= sources
