"""The reports' cost sections: terminal, JSON, Markdown with its chart, the offline HTML page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import cli

ANSWERS = Path(__file__).parents[1] / "examples" / "answers" / "medical-guidelines.yaml"
SVG = "{http://www.w3.org/2000/svg}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("ADVISOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.chdir(tmp_path)


def decide(*args: str) -> str:
    result = CliRunner().invoke(cli, ["decide", "--answers", str(ANSWERS), "--set",
                                      "format=strict", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_text_summary_shows_the_costs_compactly():
    out = decide()
    section = out[out.index("Costs (USD"):out.index("Whatever you build")]
    rows = [line for line in section.splitlines() if line.startswith("  ")]
    marked = [line for line in rows if line.startswith("  * ")]
    assert len(marked) == 1 and marked[0].startswith("  * hybrid ")  # the recommendation
    assert len(section.splitlines()) <= 14
    assert "prices as of" in section
    assert any("cheaper" in line for line in rows)


def test_json_carries_costs_and_break_even():
    data = json.loads(decide("--format", "json"))
    options = data["costs"]["options"]
    assert set(options) >= {"rag", "fine-tune", "hybrid"}
    for option in options.values():
        assert {"upfront_usd", "monthly_usd", "per_1k_queries_usd", "assumptions"} <= set(option)
        assert option["upfront_usd"] == pytest.approx(sum(i["usd"] for i in option["upfront"]),
                                                      abs=0.01)
    pairs = [tuple(b["options"]) for b in data["break_even"]]
    # fine-tune alone cannot cite or follow monthly changes: no break-even against it
    assert pairs == [("rag", "hybrid")]
    assert options["fine-tune"]["meets_requirements"] is False
    assert all(s["as_of"] for s in data["costs"]["sources"])


def test_markdown_writes_the_chart_beside_the_record(tmp_path):
    decide("--format", "markdown", "-o", "decision.md")
    text = (tmp_path / "decision.md").read_text("utf-8")
    assert "## Costs" in text
    assert "![Cumulative cost over 36 months](decision-costs.svg)" in text
    assert "<svg" not in text
    root = ET.parse(tmp_path / "decision-costs.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f"{SVG}polyline")) == 5
    assert "| **hybrid** (recommended) |" in text
    assert "### Price sources" in text and "as of 20" in text


def test_markdown_to_stdout_inlines_the_chart():
    out = decide("--format", "markdown")
    svg = out[out.index("<svg"):out.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)


class _Checker(HTMLParser):
    """Collects what makes a page depend on anything outside itself, and unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset") and value:
                self.references.append(value)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.problems.append(f"<{tag}> in a self-contained page")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


@pytest.fixture
def html_page(tmp_path) -> Path:
    decide("--format", "html", "-o", "review.html")
    return tmp_path / "review.html"


def test_html_is_well_formed_and_self_contained(html_page):
    page = html_page.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == []
    assert checker.stack == []
    assert all(not re.match(r"\s*(https?:)?//", ref) for ref in checker.references)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@import" not in page


def test_html_has_every_section_a_review_needs(html_page):
    page = html_page.read_text("utf-8")
    for anchor in ("decision", "reasons", "warnings", "costs", "chart", "flips",
                   "alternatives", "assumptions", "sources"):
        assert f'id="{anchor}"' in page
    assert "OpenAI self-serve fine-tuning" in page          # the provider warning
    assert re.search(r"<td class=\"date\">\d{4}-\d\d-\d\d</td>", page)


def test_html_chart_is_valid_svg(html_page):
    page = html_page.read_text("utf-8")
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [line.findtext(f"{SVG}title") for line in lines] == [
        "rag", "fine-tune", "hybrid", "fine-tune (hosted)", "hybrid (hosted)"]
    for line in lines:
        assert len(line.get("points").split()) == 37        # months 0..36


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


# Added to a copy of the page only: reports errors and measures the chart, for --dump-dom.
PROBE_HEAD = """<script>window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
</script>"""
PROBE_END = """<script>window.addEventListener('load', () => {
  const svg = document.querySelector('#chart svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const style = svg ? getComputedStyle(svg) : {};
  const lines = svg ? [...svg.querySelectorAll('polyline')].map(p => p.getTotalLength()) : [];
  document.body.setAttribute('data-probe', JSON.stringify({
    errors: window.__errors, width: box.width, height: box.height,
    visible: style.visibility === 'visible' && style.display !== 'none',
    lines: lines, loaded: performance.getEntriesByType('resource').map(r => r.name)}));
});
</script>"""


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed "
                    "(apt-get install chromium) so the page cannot be rendered")
def test_html_renders_in_headless_chromium_with_a_visible_chart(html_page, tmp_path):
    page = html_page.read_text("utf-8")
    probed = page.replace("<head>", "<head>" + PROBE_HEAD, 1).replace(
        "</body>", PROBE_END + "</body>", 1)
    copy = tmp_path / "probed.html"
    copy.write_text(probed, encoding="utf-8")
    run = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--window-size=1000,1400", "--dump-dom", copy.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'data-probe="([^"]*)"', run.stdout)
    assert match, run.stderr[-2000:]
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] == []
    assert probe["loaded"] == []                     # nothing fetched, not even locally
    assert probe["visible"]
    assert probe["width"] > 400 and probe["height"] > 150
    assert len(probe["lines"]) == 5 and all(length > 0 for length in probe["lines"])
