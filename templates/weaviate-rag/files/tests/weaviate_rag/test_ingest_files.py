"""`ingest` of folders with awkward files, against the local Weaviate and OpenAI fakes.

Files without text (an empty note, a scanned PDF) and files that cannot be read (a corrupt
PDF) are reported by name, the other files are still imported, and the exit code says
something needs attention. PDF chunks cite the page their text is on. The progress bar is
for terminals: a pipe gets the summary only.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from .conftest import CORPUS
from .fake_weaviate import FakeWeaviate
from .test_documents import pdf_with_pages
from .test_store import COLLECTION, chunk_counts, copy_corpus, run

CORPUS_FILES = len(list(CORPUS.glob("*.md")))


def stored(fake: FakeWeaviate, source: str) -> list[dict]:
    objects = fake.objects.get(COLLECTION, {}).values()
    found = [o.properties for o in objects if o.properties["source"] == source]
    return sorted(found, key=lambda p: p["chunk_index"])


def test_files_without_text_are_reported_not_counted_as_unchanged(
    rag_env: Path, weaviate_server: FakeWeaviate
):
    corpus = copy_corpus(rag_env)
    (corpus / "empty.md").write_text("", encoding="utf-8")
    (corpus / "headings-only.md").write_text("# Title\n\n## Nothing here\n", encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(pdf_with_pages(""))  # a page with no text on it

    result = run("ingest", str(corpus))

    assert result.exit_code == 0, result.output  # the rest of the corpus was indexed
    assert (f"{CORPUS_FILES + 3} file(s): {CORPUS_FILES} indexed, 0 unchanged, "
            "3 without text;") in result.output
    assert "warning: corpus/empty.md: no text to index\n" in result.output
    assert "warning: corpus/headings-only.md: no text to index\n" in result.output
    assert "warning: corpus/scan.pdf: no text to index (a scanned PDF? run OCR" in result.output
    assert len(chunk_counts(weaviate_server)) == CORPUS_FILES


def test_nothing_with_text_is_a_failure_not_success(rag_env: Path):
    (rag_env / "empty.md").write_text("\n  \n", encoding="utf-8")
    (rag_env / "scan.pdf").write_bytes(pdf_with_pages("", ""))
    result = run("ingest", "empty.md", "scan.pdf")
    assert result.exit_code == 1
    assert "2 file(s): 0 indexed, 0 unchanged, 2 without text" in result.output
    assert "no text found in the given files; nothing was indexed" in result.output


def test_a_file_that_lost_its_text_loses_its_chunks(
    rag_env: Path, weaviate_server: FakeWeaviate
):
    corpus = copy_corpus(rag_env)
    assert run("ingest", str(corpus)).exit_code == 0
    assert stored(weaviate_server, "corpus/diabetes.md")
    (corpus / "diabetes.md").write_text("", encoding="utf-8")
    result = run("ingest", str(corpus))
    assert result.exit_code == 0, result.output
    assert stored(weaviate_server, "corpus/diabetes.md") == []


def test_a_corrupt_pdf_mid_folder_is_reported_and_the_rest_imported(
    rag_env: Path, weaviate_server: FakeWeaviate
):
    corpus = copy_corpus(rag_env)
    (corpus / "e-broken.pdf").write_bytes(b"hello, not a PDF")  # sorts between the others
    (corpus / "f-truncated.pdf").write_bytes(pdf_with_pages("Half a file")[:200])

    result = run("ingest", str(corpus))

    assert result.exit_code == 2
    assert (f"{CORPUS_FILES + 2} file(s): {CORPUS_FILES} indexed, 0 unchanged, "
            "2 unreadable;") in result.output
    assert "unreadable: " in result.output and "e-broken.pdf: not a readable PDF" in result.output
    assert "f-truncated.pdf: not a readable PDF" in result.output
    assert "Error: 2 file(s) could not be read" in result.output
    assert len(chunk_counts(weaviate_server)) == CORPUS_FILES
    # pypdf's own diagnostics stay out of the way of the one line per file
    for noise in ("invalid pdf header", "EOF marker not found", "Traceback"):
        assert noise not in result.output


def test_a_pdf_chunk_cites_the_page_its_text_is_on(
    rag_env: Path, weaviate_server: FakeWeaviate
):
    # both pages fit in one chunk of the default size: before, one chunk cited page 1
    (rag_env / "guide.pdf").write_bytes(
        pdf_with_pages("Sodium below 2 g a day.", "Exercise 150 minutes a week.")
    )
    assert run("ingest", "guide.pdf").exit_code == 0
    chunks = stored(weaviate_server, "guide.pdf")
    assert [(c["page"], c["text"]) for c in chunks] == [
        (1, "Sodium below 2 g a day."), (2, "Exercise 150 minutes a week.")]


def test_progress_is_for_terminals_and_a_pipe_gets_only_the_summary(rag_env: Path):
    corpus = copy_corpus(rag_env)
    piped = run("ingest", str(corpus))
    assert piped.exit_code == 0
    assert "Ingesting" not in piped.output and "\r" not in piped.output
    assert piped.output.splitlines()[-1].startswith(f"{CORPUS_FILES} file(s):")

    # the same command on a terminal (a pseudo-terminal as stderr) shows the bar
    project = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    leader, follower = pty.openpty()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-m", "{{ package }}",
         "ingest", "--force", str(corpus)],
        cwd=rag_env, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not data:
            break
        shown += data
    os.close(leader)
    assert process.wait(timeout=60) == 0
    terminal = shown.decode("utf-8", "replace")
    assert "Ingesting" in terminal
    assert f"{CORPUS_FILES}/{CORPUS_FILES}" in terminal  # files done of all
    assert "chunks/s)" in terminal
