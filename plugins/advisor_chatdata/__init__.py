"""What the shared ``chatdata`` part (``templates/parts/chatdata``) asks of a project.

Not a plugin (it has no entry point): both built-in fine-tune backends, hosted and
open-weights, include the same part, so its settings are declared once, here.
"""

from __future__ import annotations

from advisor.api import N_, EnvVar

# `distill` builds training data from a teacher model over the team's prompts.
DISTILL_ENV: tuple[EnvVar, ...] = (
    EnvVar(
        "DISTILL_TEACHER_MODEL",
        N_("Teacher model whose answers `distill` turns into training data."),
        "",
    ),
    EnvVar(
        "DISTILL_BASE_URL",
        N_("OpenAI-compatible endpoint of the teacher; empty: OPENAI_BASE_URL."),
        "",
        local="http://localhost:8002/v1",
    ),
    EnvVar(
        "DISTILL_API_KEY",
        N_("API key of the teacher's endpoint; empty: OPENAI_API_KEY."),
        "",
        secret=True,
    ),
    EnvVar(
        "DISTILL_TEMPERATURE",
        N_("Temperature sent to the teacher (0-2); empty: none (reasoning models refuse one)."),
        "",
    ),
)
