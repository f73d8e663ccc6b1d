"""Jinja environments and their on-disk cache of compiled templates."""

from __future__ import annotations

import jinja2.bccache
import pytest

from advisor import templating


@pytest.fixture
def reports_dir(tmp_path, monkeypatch):
    """Report environments over a template dir of the test's own, caching under tmp_path."""
    folder = tmp_path / "reports"
    folder.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(templating, "templates_path", lambda name: folder)
    for cached in (templating.report_environment, templating._bytecode_cache):
        cached.cache_clear()
    yield folder
    for cached in (templating.report_environment, templating._bytecode_cache):
        cached.cache_clear()


def render(html: bool, name: str = "t.j2", **context: object) -> str:
    templating.report_environment.cache_clear()  # a fresh environment: the next run's
    return templating.report_environment(html=html).get_template(name).render(**context)


def test_code_compiled_for_markdown_is_never_reused_by_the_escaping_html_environment(
    reports_dir,
):
    # Jinja keys its cache by template name and file; autoescape is compiled into the code.
    (reports_dir / "t.j2").write_text("{{ value }}", "utf-8")
    assert render(html=False, value="<b>") == "<b>"
    assert render(html=True, value="<b>") == "&lt;b&gt;"
    assert render(html=False, value="<b>") == "<b>"


def test_compiled_templates_are_kept_between_runs_and_an_edit_recompiles(reports_dir, tmp_path):
    template = reports_dir / "t.j2"
    template.write_text("one {{ value }}", "utf-8")
    assert render(html=False, value=1) == "one 1"
    assert list((tmp_path / "cache" / "advisor" / "jinja" / "reports").iterdir())
    template.write_text("two {{ value }}", "utf-8")
    assert render(html=False, value=2) == "two 2"


def test_a_cache_that_cannot_be_written_only_costs_time(reports_dir, monkeypatch):
    def disk_full(*args: object, **kwargs: object):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", disk_full)
    (reports_dir / "t.j2").write_text("{{ value }}", "utf-8")
    assert render(html=False, value="still rendered") == "still rendered"
