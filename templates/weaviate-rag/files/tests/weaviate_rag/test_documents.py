"""Unit tests of loading: Markdown, text, PDF pages, folders and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ package }}.rag.documents import DocumentError, find_documents, load_document


def pdf_with_pages(*pages: str) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page (no PDF library needed)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    return bytes(out)


def test_pdf_pages_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf_with_pages("Page one talks about sodium.", "Page two is on exercise."))
    document = load_document(path)
    assert document.source == "guide.pdf"
    assert "sodium" in document.text and "exercise" in document.text
    assert document.page_at(document.text.index("sodium")) == 1
    assert document.page_at(document.text.index("exercise")) == 2


def test_markdown_and_text_load_as_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("# 제목\r\n\r\n본문", encoding="utf-8")
    (tmp_path / "b.txt").write_text("plain", encoding="utf-8")
    md, txt = load_document(tmp_path / "a.md"), load_document(tmp_path / "b.txt")
    assert md.markdown and md.text == "# 제목\n\n본문"
    assert not txt.markdown and txt.page_at(0) is None


def test_folders_expand_to_supported_files_sorted_without_hidden(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b.md", "a.txt", "sub/c.pdf", "notes.docx", ".hidden/d.md", ".e.md"):
        (tmp_path / name).write_text("x")
    found = find_documents([tmp_path, tmp_path / "a.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.md", "sub/c.pdf"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", b"x", "unsupported file type"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4 not really", "not a readable PDF"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as raised:
        find_documents([path])
        load_document(path)
    assert name in raised.value.message and message in raised.value.message
    assert "\n" not in raised.value.message
