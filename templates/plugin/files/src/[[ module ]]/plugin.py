"""The `[[ backend ]]` backend: what advisor needs to scaffold a starter with it.

Everything comes from :mod:`advisor.api`. advisor imports this module for every command
that loads plugins (`advisor --help` included), so it imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path

from advisor.api import Backend, EnvVar, hookimpl

BACKEND = Backend(
    name="[[ backend ]]",
    approaches=("rag",),
    description="Keyword RAG over data/corpus (a starting point for your own store)",
    template_dir=Path(__file__).parent / "templates" / "[[ backend ]]",
    env=(
        EnvVar("[[ env_prefix ]]_CORPUS", "Folder of Markdown files to answer from", "data/corpus"),
        EnvVar("[[ env_prefix ]]_TOP_K", "Passages an answer draws on", "3"),
    ),
    commands=("[[ subpackage ]].commands",),
    eval_systems=("[[ subpackage ]].systems",),
    next_steps=('{{ project_slug }} [[ name ]] search "How often is the flu vaccine given?"',),
)


@hookimpl
def register_backends(register) -> None:  # register takes one Backend
    register(BACKEND)
