"""The reports' cost sections: terminal, JSON, Markdown with its chart, the offline HTML page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import cli

EXAMPLES = Path(__file__).parents[1] / "examples" / "answers"
ANSWERS = EXAMPLES / "medical-guidelines.yaml"
ROUTER = EXAMPLES / "support-ticket-router.yaml"
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


def decide(*args: str, answers: Path = ANSWERS, strict: bool = True) -> str:
    given = ["--set", "format=strict"] if strict else []
    result = CliRunner().invoke(cli, ["decide", "--answers", str(answers), *given, *args])
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
    assert len(root.findall(f"{SVG}polyline")) == 6  # 3 primary, 2 other path, hosted-lora
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
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value or "")     # followed only when clicked
            elif name in ("src", "href", "xlink:href", "action", "poster", "srcset") and value:
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
    assert checker.links and all(link.startswith("https://") for link in checker.links)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@import" not in page


def test_html_has_every_section_a_review_needs(html_page):
    page = html_page.read_text("utf-8")
    for anchor in ("record", "decision", "context", "reasons", "warnings", "costs", "chart",
                   "break-even", "assumptions", "sources", "not-chosen", "consequences",
                   "revisit", "flips"):
        assert f'id="{anchor}"' in page
    assert "OpenAI self-serve fine-tuning" in page          # the provider warning
    assert re.search(r"<td class=\"date\">\d{4}-\d\d-\d\d</td>", page)


def _markdown_headings(text: str) -> list[str]:
    return [line.lstrip("#").strip() for line in text.splitlines()
            if re.match(r"#{1,3} ", line)]


def _html_headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip()
            for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.S)]


@pytest.mark.parametrize("answers", [ANSWERS, ROUTER], ids=["rag", "router"])
def test_html_carries_every_section_of_the_markdown_record(answers):
    markdown = decide("--format", "markdown", answers=answers, strict=False)
    page = decide("--format", "html", answers=answers, strict=False)
    headings = _markdown_headings(markdown)
    assert {"Context", "Decision", "Costs", "Not chosen", "Consequences",
            "How to revisit"} <= set(headings)
    assert _html_headings(page) == headings


def test_every_format_carries_the_same_record():
    args = ("--decider", "Ana Lee", "--decider", "Bo Kim")
    data = json.loads(decide("--format", "json", *args))
    record = data["record"]
    assert re.fullmatch(r"adr-\d{8}-[0-9a-f]{6}", record["id"])
    assert record["status"] == "proposed" and record["deciders"] == ["Ana Lee", "Bo Kim"]
    assert record["date"] == dt.date.today().isoformat()
    not_chosen = {entry["option"]: entry["reason"] for entry in record["not_chosen"]}
    assert set(not_chosen) == {"rag", "fine-tune", "fine-tune (hosted)", "hybrid (hosted)",
                               "hybrid (hosted-lora)"}
    assert "does not meet: documents, citations" in not_chosen["fine-tune"]
    assert "retires on 2027-01-14" in not_chosen["fine-tune (hosted)"]
    assert any(c.startswith("Budget for $") for c in record["consequences"])
    revisit = record["revisit"]
    dates = [e["date"] for e in revisit["events"]]
    assert "2027-01-06" in dates and dates == sorted(dates)   # OpenAI's dated events
    assert revisit["prices_as_of"] == data["costs"]["as_of"]
    assert revisit["price_age_days"] == (
        dt.date.today() - dt.date.fromisoformat(revisit["prices_as_of"])).days
    future = [d for d in dates if d > record["date"]]
    assert revisit["by"] == min([*future, *([revisit["recheck_prices_by"]]
                                            if not revisit["prices_overdue"] else [])])
    for fmt in ("text", "markdown", "html"):
        out = decide("--format", fmt, *args)
        assert record["id"] in out and record["date"] in out, fmt
        assert "Ana Lee, Bo Kim" in out and "proposed" in out, fmt
        assert "2027-01-06" in out, fmt
        for option in not_chosen:
            assert option in out, fmt


@pytest.mark.parametrize("name", ["", "  ", "Ana\nLee"])
def test_a_decider_must_be_a_name(name):
    result = CliRunner().invoke(cli, ["decide", "--answers", str(ANSWERS), "--decider", name])
    assert result.exit_code == 2
    assert result.output.startswith("Error: --decider: ") and "Traceback" not in result.output


def test_sources_are_links():
    markdown = decide("--format", "markdown")
    assert "<https://developers.openai.com/api/docs/pricing>" in markdown
    page = decide("--format", "html")
    assert ('<a href="https://developers.openai.com/api/docs/pricing">'
            "https://developers.openai.com/api/docs/pricing</a>") in page
    assert '<a href="https://platform.openai.com/docs/guides/fine-tuning">' in page


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
    assert len(probe["lines"]) == 6 and all(length > 0 for length in probe["lines"])


def _run_chromium(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--hide-scrollbars", "--force-device-scale-factor=1", *args],
        capture_output=True, text=True, timeout=120, check=False, env=env)


def _png_rgb(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    assert depth == 8 and kind in (2, 6) and interlace == 0, (depth, kind, interlace)
    chunks, at = [], 8
    while at < len(data):
        size, name = struct.unpack(">I4s", data[at:at + 8])
        if name == b"IDAT":
            chunks.append(data[at + 8:at + 8 + size])
        at += 12 + size
    raw = zlib.decompress(b"".join(chunks))
    step = 3 if kind == 2 else 4
    stride = width * step
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind_of_filter, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind_of_filter == 1:
                row[i] = (row[i] + left) & 255
            elif kind_of_filter == 2:
                row[i] = (row[i] + up) & 255
            elif kind_of_filter == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind_of_filter == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else
                                    up if pb <= pc else corner)) & 255
        previous = row
        rows.append(bytes(row) if step == 3 else
                    bytes(b for j in range(0, stride, 4) for b in row[j:j + 3]))
    return width, height, rows


CHART_SCALE = 912 / 820  # the chart's width in the 1000-pixel-wide page / its viewBox


def _length(points: str) -> float:
    xy = [tuple(map(float, p.split(","))) for p in points.split()]
    return sum(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
               for (x0, y0), (x1, y1) in pairwise(xy))


# Only the chart's lines: the page around it, markers, whiskers and legend hidden, so the
# count below is of line pixels alone.
LINES_ONLY = """<style>main > :not(#chart), figcaption, .marker, .legend, .range,
.break-even { display: none !important; } body, main { background: #fff; }</style>"""


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed "
                    "(apt-get install chromium) so the page cannot be rendered")
@pytest.mark.parametrize("answers", [ROUTER, ANSWERS], ids=["router", "rag"])
def test_every_line_of_the_chart_is_visible_in_chromium(answers, tmp_path):
    from advisor.charts import COLORS

    data = json.loads(decide("--format", "json", answers=answers, strict=False))
    names = list(data["costs"]["options"])
    page = decide("--format", "html", answers=answers, strict=False)
    copy = tmp_path / "lines.html"
    copy.write_text(page.replace("</head>", LINES_ONLY + "</head>", 1), encoding="utf-8")
    shot = tmp_path / "lines.png"
    run = _run_chromium("--window-size=1000,600", f"--screenshot={shot}", copy.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    _, _, rows = _png_rgb(shot)
    wanted = {name: bytes.fromhex(COLORS[name][1:]) for name in names}
    counts = dict.fromkeys(names, 0)
    for row in rows:
        for i in range(0, len(row), 3):
            pixel = row[i:i + 3]
            if pixel == b"\xff\xff\xff":
                continue
            for name, color in wanted.items():
                if max(abs(a - b) for a, b in zip(pixel, color, strict=True)) <= 40:
                    counts[name] += 1
    # every option's line shows, the short ones that stop at a retirement included: at
    # least a fifth of the pixels its length would ink alone (dashes ink about half) ...
    lines = {line.findtext(f"{SVG}title"): line for line in ET.fromstring(
        page[page.index("<svg"):page.index("</svg>") + 6]).iter(f"{SVG}polyline")}
    for name, count in counts.items():
        ink = _length(lines[name].get("points")) * float(lines[name].get("stroke-width"))
        assert count >= 0.2 * ink * CHART_SCALE ** 2, (name, count, ink)
    # ... and the recommended one, drawn wide under the others, shows the most
    assert max(counts, key=counts.get) == data["recommendation"], counts


# A phone's 375 pixels (or a printed page's 720): Chromium's headless window is at least
# 500 wide, so the page is laid out in a frame of that width (srcdoc: same origin, so the
# probe can measure it).
NARROW = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" width="{width}" height="800" style="border:0" srcdoc="{page}"></iframe>
<script>document.getElementById('page').addEventListener('load', () => {{
  const frame = document.getElementById('page'), doc = frame.contentDocument;
  const view = frame.contentWindow.innerWidth;
  document.body.setAttribute('data-probe', JSON.stringify({{
    page: doc.documentElement.scrollWidth, viewport: view,
    tables: [...doc.querySelectorAll('table')].map(t =>
      t.parentElement.getBoundingClientRect().right <= view + 0.5)}}));
}});
</script></body></html>"""


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed "
                    "(apt-get install chromium) so the page cannot be rendered")
@pytest.mark.parametrize(("width", "media"), [(375, "screen"), (720, "print")],
                         ids=["phone", "a4-print"])
def test_html_fits_a_phone_and_a_printed_page(html_page, tmp_path, width, media):
    """A phone's width; and the print styles applied at an A4 page's printable width."""
    from html import escape

    page = html_page.read_text("utf-8")
    if media == "print":
        assert "@media print" in page
        page = page.replace("@media print", "@media all")
    copy = tmp_path / "narrow.html"
    copy.write_text(NARROW.format(page=escape(page, quote=True), width=width),
                    encoding="utf-8")
    run = _run_chromium("--window-size=800,900", "--dump-dom", copy.as_uri())
    match = re.search(r'data-probe="([^"]*)"', run.stdout)
    assert match, run.stderr[-2000:]
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["viewport"] == width
    assert probe["page"] <= probe["viewport"]        # nothing overflows the screen or page
    assert probe["tables"] and all(probe["tables"])  # each table fits or scrolls in its box
