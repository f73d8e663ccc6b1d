"""Today's date, for the commands that compare recorded dates with it.

``ADVISOR_TODAY=YYYY-MM-DD`` pins it. It exists for tests and for trying out what
``advisor check`` will say on a later day (for example the day after a provider's dated
event); leave it unset in real use.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import InputError

TODAY_ENV = "ADVISOR_TODAY"


def today() -> dt.date:
    """The real date, or ``$ADVISOR_TODAY`` when it is set."""
    pinned = os.environ.get(TODAY_ENV)
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise InputError(
            f"${TODAY_ENV}: {pinned!r:.40} is not a date (allowed: YYYY-MM-DD, or unset)"
        ) from None
