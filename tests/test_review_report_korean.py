"""The Korean HTML record renders its Hangul in headless Chromium: glyphs, not tofu.

Checked by screenshot, not by reading the page's source: the record's title is rendered
as the page renders it, and again with each Hangul syllable replaced by an unassigned
code point (U+0378), which no font has, so it is drawn as the missing-glyph box. When
the fonts cannot render Hangul, the syllables are drawn as that same box and the two
screenshots are identical; when they can, they differ. The check is itself checked:
with a fontconfig that offers only DejaVu (no Hangul), it must report tofu.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_report import _chromium, _png_rgb, _run_chromium

from advisor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples/answers/medical-guidelines.yaml"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
MISSING = "\u0378"  # unassigned: every font draws its missing-glyph box for it
LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu")
# Only the title, large, on white: what the screenshots compare.
TITLE_ONLY = """<style>main > :not(h1) { display: none !important; }
h1 { font-size: 40px !important; } body, main { background: #fff; }</style>"""

needs_chromium = pytest.mark.skipif(
    _chromium() is None,
    reason="headless Chromium is not installed (apt-get install chromium) so the page "
    "cannot be rendered",
)


@pytest.fixture(scope="module")
def korean_page() -> str:
    result = CliRunner().invoke(
        cli, ["decide", "--answers", str(ANSWERS), "--format", "html", "--lang", "ko"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _title_pixels(page: str, folder: Path, name: str, env: dict[str, str] | None) -> list:
    copy = folder / f"{name}.html"
    copy.write_text(page.replace("</head>", TITLE_ONLY + "</head>", 1), encoding="utf-8")
    shot = folder / f"{name}.png"
    run = _run_chromium("--window-size=1000,200", f"--screenshot={shot}", copy.as_uri(), env=env)
    assert shot.exists(), run.stderr[-2000:]
    rows = _png_rgb(shot)[2]
    assert any(set(row) != {255} for row in rows), "nothing was drawn"
    return rows


def renders_hangul(page: str, folder: Path, env: dict[str, str] | None = None) -> bool:
    """True when the page's title shows Hangul glyphs, False when it shows tofu boxes."""
    title = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert title and HANGUL.search(title.group(1)), "the title has no Hangul to check"
    tofu_title = HANGUL.sub(MISSING, title.group(1))
    tofu = page.replace(title.group(0), f"<h1>{tofu_title}</h1>", 1)
    return _title_pixels(page, folder, "page", env) != _title_pixels(tofu, folder, "tofu", env)


@needs_chromium
def test_the_korean_record_renders_hangul_glyphs_not_tofu(korean_page, tmp_path):
    assert '<html lang="ko">' in korean_page
    assert renders_hangul(korean_page, tmp_path), (
        "Hangul renders as tofu: install a font with Hangul (apt-get install fonts-noto-cjk)"
    )


@needs_chromium
@pytest.mark.skipif(not LATIN_ONLY.is_dir(), reason="DejaVu fonts are not installed")
def test_the_check_reports_tofu_when_no_font_has_hangul(korean_page, tmp_path):
    """The negative control: the same page with only DejaVu available is all tofu."""
    (tmp_path / "cache").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_ONLY}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    assert not renders_hangul(korean_page, tmp_path, env)
