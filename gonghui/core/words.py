"""Everyday words for choices: one matcher for the import, the forms and the API.

Cadres type 高中 for 普通高中, 市总工会 for 市（州）总工会, 男 or M, 党员, √. Every
choice a file or form takes is a *choice table* registered here by the app that owns
it (members' code tables, orgs' kinds and forms, yes/no and gender here in core),
with the synonyms it ships. A platform admin adds more from the 词语对照 page
(`core.Synonym` rows, which win over the shipped ones). `match` reads a word as:

1. the code itself (``60``; ``6`` for a two-digit table's ``06``),
2. the official label (NFKC, so ``（州）`` and ``(州)`` are one),
3. a synonym (the admin's first, then the shipped list),
4. a label's short forms: without its bracketed part (市（州）总工会 → 市总工会) or its
   brackets (市州总工会), and each side of a slash (一级/高级技师 → 高级技师),
5. the start of exactly one label (蒙古 → 蒙古族), for words of two characters or more.

A word that fits two labels by rules 4–5 is refused with the candidates listed; a
word that fits none is refused with the table's labels when they are few. Words are
compared after NFKC, with spaces dropped and Latin letters lower-cased.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Options = Callable[[], Iterable[tuple[str, Any]]]  # (value, label); a label may be a lazy string

# Few enough labels to list them all in a refusal.
LIST_ALL_UP_TO = 15
# Shown when a word fits more labels than this (rule 5 with a short word).
MAX_CANDIDATES = 8


class ChoiceError(ValueError):
    """A Chinese reason why a word is not one of a table's choices; `candidates` when it fits several."""

    def __init__(self, reason: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.candidates = candidates


def normalize_word(value: Any) -> str:
    """NFKC, every space dropped, Latin letters lower-cased: the form words are compared in."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


@dataclass
class ChoiceTable:
    key: str
    title: str
    options: Options
    synonyms: dict[str, str] = field(default_factory=dict)  # shipped: word → value


_tables: dict[str, ChoiceTable] = {}
# Admin synonyms, loaded once and kept for ADMIN_TTL seconds: reloaded at once in the process
# that saved one (`synonyms_changed`), within the TTL in the server's other processes.
ADMIN_TTL = 30.0
_admin: dict[str, dict[str, str]] | None = None
_admin_at = 0.0
_admin_pid = 0  # the process that loaded them: a forked reader keeps its parent's copy (no database)
_AdminLoader = Callable[[], Iterable[tuple[str, str, str]]]
_admin_loader: _AdminLoader | None = None


def register_choice_table(*, key: str, title: str, options: Options, synonyms: dict[str, str] | None = None) -> None:
    """Called by the app that owns the choice, from its `ready()`."""
    shipped = {normalize_word(word): value for word, value in (synonyms or {}).items()}
    _tables[key] = ChoiceTable(key, title, options, shipped)
    _indexes.pop(key, None)


def unregister_choice_table(key: str) -> None:
    """For tests that register a table of their own."""
    _tables.pop(key, None)
    _indexes.pop(key, None)


def choice_tables() -> list[ChoiceTable]:
    return sorted(_tables.values(), key=lambda t: t.key)


def choice_table(key: str) -> ChoiceTable:
    return _tables[key]


def set_admin_loader(loader: _AdminLoader) -> None:
    """Where the admin's synonyms come from: (table, word, value) rows (core.Synonym)."""
    global _admin_loader
    _admin_loader = loader
    synonyms_changed()


def synonyms_changed() -> None:
    global _admin
    _admin = None


def _admin_synonyms(key: str) -> dict[str, str]:
    global _admin, _admin_at, _admin_pid
    # A child forked to read a file (the bulk engine's read-ahead) must not touch its parent's
    # database connection: it keeps what the parent loaded before the fork (`preload`).
    forked = _admin is not None and _admin_pid != os.getpid()
    if not forked and (_admin is None or time.monotonic() - _admin_at > ADMIN_TTL):
        loaded: dict[str, dict[str, str]] = {}
        for table, word, value in _admin_loader() if _admin_loader else ():
            loaded.setdefault(table, {})[normalize_word(word)] = value
        _admin, _admin_at, _admin_pid = loaded, time.monotonic(), os.getpid()
    return (_admin or {}).get(key, {})


def _short_forms(label: str) -> set[str]:
    """What people write for a label: without its bracketed part or its brackets, each side of a slash."""
    forms: set[str] = set()
    for part in [label, *label.split("/")] if "/" in label else [label]:
        forms.add(part)
        if "(" in part:
            forms.add(re.sub(r"\([^)]*\)", "", part))
            forms.add(re.sub(r"[()]", "", part))
    forms.discard("")
    return forms


def preload() -> None:
    """Read everything matching needs from the database now (admin synonyms, every table's options).

    Called before a process forks readers that match words without a database of their own.
    """
    _admin_synonyms("")
    for key in list(_tables):
        _index(key)


def synonym_value(key: str, word: str) -> str | None:
    """The value a synonym (the admin's first, then the shipped ones) names, if any."""
    table = _tables[key]
    normalized = normalize_word(word)
    return _admin_synonyms(key).get(normalized) or table.synonyms.get(normalized)


@dataclass
class _Index:
    """A table's options, arranged for matching (built once, until `choices_changed`)."""

    order: list[str]  # values, in the table's order
    labels: dict[str, str]  # value → label
    values: dict[str, str]  # normalized value → value
    by_label: dict[str, str]  # normalized label → value
    short: dict[str, set[str]]  # short form → values
    normalized: list[tuple[str, str]]  # (value, normalized label)


_indexes: dict[str, _Index] = {}


def choices_changed() -> None:
    """The options of some table changed (a code-table row edited): rebuild on next use."""
    _indexes.clear()


def _index(key: str) -> _Index:
    index = _indexes.get(key)
    if index is None:
        options = [(str(value), str(label)) for value, label in _tables[key].options()]
        short: dict[str, set[str]] = {}
        for value, label in options:
            for form in _short_forms(normalize_word(label)):
                short.setdefault(form, set()).add(value)
        index = _indexes[key] = _Index(
            order=[value for value, _ in options],
            labels=dict(options),
            values={normalize_word(value): value for value, _ in options},
            by_label={normalize_word(label): value for value, label in options},
            short=short,
            normalized=[(value, normalize_word(label)) for value, label in options],
        )
    return index


def match(key: str, raw: Any, *, title: str = "") -> str:
    """The value of table `key` that `raw` names; "" for a blank. Raises `ChoiceError`.

    `title` names the field in the refusal when it is not the table's own title.
    """
    word = normalize_word(raw)
    if not word:
        return ""
    index = _index(key)
    if word in index.values:
        return index.values[word]
    if word.isdigit() and word.zfill(2) in index.values:
        return index.values[word.zfill(2)]
    if word in index.by_label:
        return index.by_label[word]
    named = synonym_value(key, word)
    if named is not None and named in index.labels:
        return named
    fits = set(index.short.get(word, ()))
    if not fits and len(word) >= 2:
        fits = {value for value, label in index.normalized if label.startswith(word)}
    if len(fits) == 1:
        return fits.pop()
    title, shown = title or _tables[key].title, str(raw).strip()
    if fits:
        candidates = tuple(index.labels[v] for v in index.order if v in fits)[:MAX_CANDIDATES]
        raise ChoiceError(f"{title}“{shown}”不明确，可能是：{'、'.join(candidates)}", candidates)
    labels = list(index.labels.values())
    hint = f"，可填：{'、'.join(labels)}" if len(labels) <= LIST_ALL_UP_TO else ""
    raise ChoiceError(f"{title}“{shown}”不在代码表中{hint}")


# Yes/no and gender belong to no app: they are registered here.
YES, NO = "1", "0"
register_choice_table(
    key="yes_no",
    title="是否",
    options=lambda: [(YES, "是"), (NO, "否")],
    synonyms={word: YES for word in ("y", "yes", "true", "t", "√", "✓", "✔", "对", "有", "是的", "on")}
    | {word: NO for word in ("n", "no", "false", "f", "×", "✗", "✘", "x", "不是", "无", "没有", "非", "off")},
)
register_choice_table(
    key="gender",
    title="性别",
    options=lambda: [("1", "男"), ("2", "女")],
    synonyms={"m": "1", "male": "1", "男性": "1", "f": "2", "female": "2", "女性": "2"},
)


def match_bool(raw: Any) -> bool | None:
    """是/否 in everyday words (Y/N, √/×, 1/0, true/false, 有/无…); None for a blank."""
    if isinstance(raw, bool):
        return raw
    value = match("yes_no", raw)
    return None if value == "" else value == YES
