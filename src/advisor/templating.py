"""Jinja environments: one for the advisor's own report templates.

Jinja is imported here, not at start-up, so commands that render nothing never pay for it.
"""

from __future__ import annotations

from functools import cache

import jinja2

from .api import templates_path


@cache
def report_environment() -> jinja2.Environment:
    """Report templates are ours and trusted; undefined variables are still errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_path("reports")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
