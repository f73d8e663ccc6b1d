"""Reading a file the user names (answers, a saved decision, a record) without trusting it.

A path on the command line can be anything: ``/dev/zero`` (endless), ``<(yes)`` (a pipe
that never ends), ``/dev/stdin`` (a terminal that waits for typing), a FIFO nobody writes
to (an ``open`` that never returns). :func:`read_limited` reads at most ``limit`` bytes
from any of them, gives up on a pipe that stays silent for ``idle_s`` seconds, and turns
every one of these cases into a one-line :class:`InputError`.
"""

from __future__ import annotations

import os
import select
import stat
import time
from pathlib import Path

from .errors import InputError
from .i18n import gettext as _

# A pipe that has sent nothing for this long has no writer worth waiting for.
IDLE_S = 10.0


def read_limited(
    path: str | Path,
    what: str,
    limit: int,
    idle_s: float | None = None,
    label: str | None = None,
) -> bytes:
    """The bytes of ``path`` (at most ``limit``), or an :class:`InputError` naming ``what``.

    The file is opened non-blocking, so a FIFO without a writer opens at once; regular
    files are then read normally, anything else (pipes, devices) with a deadline.
    Errors start with ``label`` (``--decision d.json``), else the path. ``what`` is
    English, marked with ``N_`` by the caller, and translated here.
    """
    idle_s = IDLE_S if idle_s is None else idle_s
    shown = label or str(path)
    what = _(what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_read(shown, what, exc.strerror or exc) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _cannot_read(shown, what, _("it is a folder"))
        if os.isatty(fd):
            raise InputError(
                _("{path}: cannot read {what} from a terminal; give a file, or pipe one in")
                .format(path=shown, what=what)
            )
        if stat.S_ISREG(info.st_mode):
            if info.st_size > limit:
                raise _too_big(shown, what, limit)
            os.set_blocking(fd, True)
            data = _read_all(fd, limit, deadline=None, idle_s=idle_s)
        else:
            data = _read_all(fd, limit, deadline=time.monotonic() + idle_s, idle_s=idle_s)
    except OSError as exc:
        raise _cannot_read(shown, what, exc.strerror or exc) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_big(shown, what, limit)
    return data


def _read_all(fd: int, limit: int, deadline: float | None, idle_s: float) -> bytes:
    """Read until end of file or ``limit + 1`` bytes; a pipe must keep sending data."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        if deadline is not None:
            wait = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(wait, 0))[0]
            if not ready:
                raise TimeoutError(
                    _("nothing arrived for {seconds} s (a pipe or FIFO with no writer?)").format(
                        seconds=f"{idle_s:g}"
                    )
                )
        try:
            chunk = os.read(fd, min(65536, limit + 1 - size))
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if deadline is not None:
            deadline = time.monotonic() + idle_s
    return b"".join(chunks)


def _cannot_read(shown: str, what: str, reason: object) -> InputError:
    return InputError(
        _("{path}: cannot read {what}: {reason}").format(path=shown, what=what, reason=reason)
    )


def _too_big(shown: str, what: str, limit: int) -> InputError:
    return InputError(
        _("{path}: {what} is larger than {limit} bytes; at most {limit} allowed").format(
            path=shown, what=what, limit=limit
        )
    )
