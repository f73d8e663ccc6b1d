"""Starter package {{ project_slug }}.

Made by advisor {{ advisor_version }} for {{ approaches | join(" + ") }}; see README.md.
"""

__version__ = "0.1.0"
