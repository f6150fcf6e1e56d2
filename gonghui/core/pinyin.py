"""Pinyin search keys of place and union names: full pinyin and initials, lower case.

A cadre types "ylq" or "yiling" for 夷陵区总工会; the org tree and the region table
keep these keys so a prefix or substring match finds the name. People's names have
their own reader (members.validation.name_keys, with surname readings); a union or
a place is read as ordinary words, so pypinyin's phrase dictionary is right here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin

_NOT_KEY = re.compile(r"[^a-z0-9]")
_KEEP: Any = lambda chars: list(chars)  # noqa: E731  (pypinyin's stub types `errors` too narrowly)

FULL_LIMIT = 200
INITIALS_LIMIT = 100


@lru_cache(maxsize=65_536)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials): 夷陵区总工会 → ("yilingquzonggonghui", "ylqzgh"); "" for no text.

    Letters and digits in the name stay as themselves (a "5G" union reads "5g…"); punctuation
    and brackets drop out, so 市（州）总工会 reads "shizhouzonggonghui".
    """
    normal = unicodedata.normalize("NFKC", text or "").lower()
    syllables = [_NOT_KEY.sub("", s) for s in lazy_pinyin(normal, errors=_KEEP)]
    syllables = [s for s in syllables if s]
    return "".join(syllables)[:FULL_LIMIT], "".join(s[0] for s in syllables)[:INITIALS_LIMIT]


def pinyin_query(raw: str) -> str:
    """What a search box holds as a pinyin key: lower-case Latin letters only ("" when it holds none)."""
    text = unicodedata.normalize("NFKC", raw or "").lower()
    if not re.fullmatch(r"[a-z'\s]+", text):
        return ""
    return re.sub(r"[^a-z]", "", text)
