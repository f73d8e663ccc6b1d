"""The language people read: choosing it, and the gettext catalogs that translate into it.

English is the source language. A message a person reads is written in English in the
code and passed through :func:`gettext` (imported as ``_``) where it is shown. Text that
is defined as data before the language is known (a question's help, a choice's label,
a command's ``--help``) is marked with :func:`N_`, which only tells the extractor that it
is a message, and is translated where it is displayed. A sentence that is also put in
machine-readable output (a reason, a doctor check's summary) is an
:class:`advisor.messages.Message`: English where it is stored, translated where it is shown.

Catalogs are standard gettext: ``advisor/locale/<lang>/LC_MESSAGES/advisor.po``, kept
with Babel (``docs/i18n.md``) and compiled to ``.mo`` when the package is built
(``hatch_build.py``), so reading them at run time needs only the standard library.
Plugins add catalogs of their own (the ``register_catalogs`` hook); the core's catalog
is asked first, then each plugin's.

Machine-readable output never passes through here: JSON keys, enumerated values
(``rag``, ``weekly``), exit codes and answers-file keys are the same in every language.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DOMAIN = "advisor"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
# The names people know each language by, in that language: for error messages and
# `--lang` help. A language is available when its compiled catalog is installed.
NATIVE_NAMES = {"en": "English", "ko": "한국어"}
# Checked in this order, like gettext itself: LC_ALL overrides LC_MESSAGES overrides LANG.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_language: str | None = None
_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_plugin_catalogs: list[tuple[str, Path]] = []


def available() -> tuple[str, ...]:
    """The languages with a catalog installed, English (the source) first."""
    compiled = sorted(
        path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    )
    return (SOURCE_LANGUAGE, *(lang for lang in compiled if lang != SOURCE_LANGUAGE))


def normalize(value: str) -> str:
    """``ko_KR.UTF-8`` -> ``ko``; ``en-US`` -> ``en``; ``C``/``POSIX`` -> ``en``."""
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return SOURCE_LANGUAGE if code in ("", "c", "posix") else code


def choose(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to use: ``explicit`` (``--lang``), ``ADVISOR_LANG``, the locale, English.

    An explicit language that has no catalog is the user's mistake: an
    :class:`InputError` naming the available ones (exit 2). An unknown ``ADVISOR_LANG``
    is a setting left somewhere: a one-line warning, and English. A locale in a language
    we have no catalog for is simply English, without a warning on every run.
    """
    environ = os.environ if environ is None else environ
    languages = available()
    allowed = ", ".join(languages)
    if explicit is not None:
        lang = normalize(explicit)
        if lang not in languages:
            raise InputError(f"--lang: {explicit!r} is not available; choose one of {allowed}")
        return lang
    configured = environ.get("ADVISOR_LANG", "").strip()
    if configured:
        lang = normalize(configured)
        if lang in languages:
            return lang
        sys.stderr.write(
            f"Warning: ADVISOR_LANG={configured!r} is not available ({allowed}); using English\n"
        )
        return SOURCE_LANGUAGE
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:
            lang = normalize(value)
            return lang if lang in languages else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def activate(lang: str) -> None:
    """Translate from now on into ``lang`` (one of :func:`available`)."""
    global _language, _translations
    _language, _translations = lang, _catalog(lang)


def language() -> str:
    """The language in use; chosen from the environment on first use."""
    if _language is None:
        activate(choose())
    assert _language is not None
    return _language


def reset() -> None:
    """Forget the chosen language: the next message chooses again (one CLI invocation each)."""
    global _language
    _language = None


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside the block, then back into the language in use.

    A generated project keeps the language it was made in (its ``.advisor.yml`` says
    which): ``advisor update`` renders its files in that language while the messages
    around them stay in the reader's.
    """
    previous = language()
    activate(lang)
    try:
        yield
    finally:
        activate(previous)


def use_catalogs(catalogs: Sequence[Catalog]) -> None:
    """Ask these plugins' catalogs after the core's, in this order (replacing any before):
    the plugin manager in use decides which plugins' catalogs count."""
    global _plugin_catalogs
    wanted = [(catalog.domain, catalog.directory) for catalog in catalogs]
    if wanted != _plugin_catalogs:
        _plugin_catalogs = wanted
        if _language is not None:
            activate(_language)


def gettext(message: str) -> str:
    """``message`` in the language in use (itself when there is no translation)."""
    language()
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` (Korean has one form; English two)."""
    language()
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (a msgctxt) in the language in use: the same English word
    can need different translations (a choice's label is keyed by its question)."""
    language()
    return _translations.pgettext(context, message)


def every_translation(context: str, message: str) -> set[str]:
    """``message`` in ``context`` in every available language, the source included.

    For reading input: a choice typed as its label is accepted in any language, whichever
    one is in use (an answers file written in Seoul works in a CI job in English).
    """
    return {_catalog(lang).pgettext(context, message) for lang in available()}


def _catalog(lang: str) -> _gettext.NullTranslations:
    """The core's and plugins' catalogs for ``lang`` (cached by :mod:`gettext` itself)."""
    translations: _gettext.NullTranslations = _gettext.NullTranslations()
    if lang != SOURCE_LANGUAGE:
        translations = _gettext.translation(DOMAIN, LOCALE_DIR, [lang], fallback=True)
        for domain, directory in _plugin_catalogs:
            translations.add_fallback(
                _gettext.translation(domain, directory, [lang], fallback=True)
            )
    return translations


@dataclass(frozen=True)
class Catalog:
    """A plugin's gettext catalog: ``directory/<lang>/LC_MESSAGES/<domain>.mo``.

    Registered through the ``register_catalogs`` hook; its messages (a plugin's question
    help, its doctor checks' summaries) are looked up after the core's.
    """

    domain: str
    directory: Path


def columns(text: str) -> int:
    """The terminal columns ``text`` takes: Hangul (and other wide characters) take two,
    so tables with translated headings still line up."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_columns(text: str, width: int, first: int | None = None) -> list[str]:
    """``text``'s words in lines of at most ``width`` terminal columns (``first`` for the
    first line; a longer word stands alone): :mod:`textwrap` counts characters, and a
    Hangul syllable takes two columns."""
    lines: list[str] = []
    words: list[str] = []
    used = 0
    for word in text.split():
        size = columns(word)
        limit = first if first is not None and not lines else width
        if words and used + 1 + size > limit:
            lines.append(" ".join(words))
            words, used = [], 0
        used += size + (1 if words else 0)
        words.append(word)
    if words:
        lines.append(" ".join(words))
    return lines


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet (it is data)."""
    return message


_ = gettext


def translations() -> _gettext.NullTranslations:
    """The translations in use, for :class:`advisor.messages.Message`, which looks its
    message up with or without a context (Jinja templates call :func:`gettext` and
    :func:`ngettext` instead, so a cached environment follows the language)."""
    language()
    return _translations
