"""Human text that stays English in machine output and is translated where people read it.

A reason, warning or break-even summary is built once, when ``decide`` runs, but read in
two ways: ``--format json`` must be the same in every language (scripts compare it), and
the text, Markdown and HTML records are read in the chosen language. A :class:`Message`
is therefore a ``str`` holding the English sentence, so JSON, comparisons and ``in``
checks see English, and it remembers its message id and values, so :func:`localize`
can translate the whole sentence (the translation chooses the word order) when it is
shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import i18n


class Message(str):
    """An English sentence ``msgid.format(**values)`` that can be shown translated.

    Mark the message id with ``N_()`` so the extractor finds it:
    ``Message(N_("{count:,} documents"), count=n)``. A value may itself be a
    :class:`Message` (a phrase inside the sentence); it is translated with it.
    """

    msgid: str
    values: Mapping[str, Any]
    context: str | None = None

    def __new__(cls, msgid: str, /, **values: Any) -> Message:
        # Without values the message is the text itself, braces and all (a doctor
        # check's summary may quote a JSON snippet).
        text = super().__new__(cls, msgid.format(**values) if values else msgid)
        text.msgid = msgid
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.msgid, dict(self.values), self.context))

    def localized(self) -> str:
        """The sentence in the language in use (English when it has no translation)."""
        if not self.msgid:
            return ""  # gettext("") is the catalog's header, not a translation
        catalog = i18n.translations()
        if self.context is not None:
            template = catalog.pgettext(self.context, self.msgid)
        else:
            template = catalog.gettext(self.msgid)
        if not self.values:
            return template
        values = {key: localize(value) for key, value in self.values.items()}
        return template.format(**values)


def _rebuild(msgid: str, values: dict[str, Any], context: str | None) -> Message:
    text = Message(msgid, **values)
    text.context = context
    return text


def pgettext(context: str, word: str) -> Message:
    """Mark a word that is also a value (``weekly``) for the catalog, in ``context``.

    The same English word can need different translations where it is a choice label
    and where it sits inside a sentence; the context keeps the two catalog entries
    apart. Returns a :class:`Message` (English until shown), not a translated string.
    """
    text = Message(word)
    text.context = context
    return text


def localize(text: Any) -> Any:
    """``text`` as people read it: a :class:`Message` translated, anything else as is."""
    return text.localized() if isinstance(text, Message) else text


def translate(text: Any) -> Any:
    """Like :func:`localize`, and a plain string is looked up whole in the catalogs too.

    For text that is catalog data marked with ``N_()`` (a label, a plugin's help) or a
    :class:`Message`; a string no catalog holds is itself. Not for values inside a
    sentence (a model name that happens to be a word), which :func:`localize` leaves be.
    """
    if isinstance(text, Message):
        return text.localized()
    return i18n.gettext(text) if isinstance(text, str) and text else text


def join(parts: list[Message], separator: str) -> Message:
    """Phrases joined pairwise by ``separator``, a message such as
    ``N_("{first} and {second}")``, so each language joins them its own way."""
    if len(parts) == 1:
        return parts[0]
    return Message(separator, first=join(parts[:-1], separator), second=parts[-1])


def concat(parts: list[Any], separator: str = "") -> Message:
    """Sentences or phrases one after another, each translated where it is shown.

    For lists whose pieces are whole sentences (or punctuation-separated clauses), so
    the order of the pieces is not a matter of grammar.
    """
    names = [f"part{index}" for index in range(len(parts))]
    template = separator.replace("{", "{{").replace("}", "}}").join(f"{{{n}}}" for n in names)
    return Message(template, **dict(zip(names, parts, strict=True)))
