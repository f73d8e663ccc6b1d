"""advisor-pgvector: a third-party backend plugin for ``advisor`` (RAG on PostgreSQL + pgvector).

The hookimpls live in :mod:`advisor_pgvector.plugin`; this package exists so the plugin can
ship its templates as package data next to its code.
"""

__version__ = "0.1.0"
