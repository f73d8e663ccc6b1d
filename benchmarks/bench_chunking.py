"""The RAG starter's chunker against langchain-text-splitters' recursive splitter.

Same text, same chunk size and overlap. The starter splits Markdown on headings first
(the mode `ingest` uses for .md files), so that is the mode measured. Target (issue 9):
not slower (throughput ratio >= 1).
"""

from __future__ import annotations

import importlib
import random
import sys

from harness import Target, Timing, time_call
from starter import WORDS, scaffold

SIZES = ((1000, 150), (500, 50))


def corpus(megabytes: float, seed: int = 3) -> str:
    """Markdown like a guideline collection: headings, paragraphs, lists."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        section = [f"## {' '.join(rng.choices(WORDS, k=4))}\n"]
        for _ in range(rng.randint(2, 6)):
            sentences = [
                " ".join(rng.choices(WORDS, k=rng.randint(6, 20))) + "."
                for _ in range(rng.randint(2, 8))
            ]
            section.append(" ".join(sentences) + "\n")
        section.append("\n".join(f"- {' '.join(rng.choices(WORDS, k=8))}" for _ in range(3)))
        text = "\n".join(section) + "\n\n"
        parts.append(text)
        size += len(text.encode("utf-8"))
    return "".join(parts)


def throughput(timing: Timing, megabytes: float) -> str:
    """MB/s at the median run, then at the slowest and the fastest."""
    slowest, fastest = megabytes / max(timing.samples), megabytes / min(timing.samples)
    return f"{megabytes / timing.median:.1f} ({slowest:.0f}-{fastest:.0f})"


def run(quick: bool) -> list[Target]:
    try:
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError:
        print("langchain-text-splitters is not installed (pip install -e '.[bench]'): skipped")
        return []
    project = scaffold("weaviate-rag", "chunking")
    sys.path.insert(0, str(project / "src"))
    package = next(p.name for p in (project / "src").iterdir() if (p / "__init__.py").exists())
    split_text = importlib.import_module(f"{package}.rag.chunking").split_text
    text = corpus(1 if quick else 10)
    megabytes = len(text.encode("utf-8")) / 1e6
    runs = 2 if quick else 5
    targets = []
    print(f"\n## chunking {megabytes:.1f} MB of Markdown ({runs} runs: median, min-max)")
    print(f"{'size/overlap':<14} {'starter MB/s':>20} {'langchain MB/s':>20} {'ratio':>7}")
    for size, overlap in SIZES:
        splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)
        ours = time_call(
            "starter", lambda s=size, o=overlap: split_text(text, s, o, markdown=True), runs
        )
        theirs = time_call("langchain", lambda sp=splitter: sp.split_text(text), runs)
        ratio = theirs.median / ours.median
        print(
            f"{size}/{overlap:<9} {throughput(ours, megabytes):>20} "
            f"{throughput(theirs, megabytes):>20} {ratio:6.2f}x"
        )
        targets.append(
            Target(f"chunking {size}/{overlap} throughput vs langchain", ratio, 1, at_least=True)
        )
    return targets
