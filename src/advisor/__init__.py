"""advisor: decide between fine-tuning, RAG or both, then scaffold a runnable starter.

Plugins import from :mod:`advisor.api`, the one public module for them.
"""

__version__ = "0.1.0"
