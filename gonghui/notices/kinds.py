"""The kinds of 公示 (金秋助学, honors …): registered by the app that owns the subjects, from its ready().

A kind names the permissions of its 公示 and what happens to a subject whose entry is removed
(an upheld objection): notices never imports the app, the app hands its rules down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.notices.models import PublicationEntry


@dataclass(frozen=True)
class NoticeKind:
    key: str  # also the audit namespace: "<key>.publish", "<key>.objection" …
    label: str  # 金秋助学
    view_perm: str
    publish_perm: str  # publishes, records objections received, ends the 公示
    resolve_perm: str  # resolves objections
    name_heading: str = "姓名"
    # The public columns after the name: (key in the entry's details, heading).
    columns: tuple[tuple[str, str], ...] = ()
    # Called inside the transaction of an upheld objection, with the entry just removed and the reason.
    on_removed: Callable[[PublicationEntry, str, User | None], None] | None = None
    # The back-office page of one 公示 of this kind (a URL name taking the publication's pk), if any.
    detail_url_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


_kinds: dict[str, NoticeKind] = {}


def register_notice_kind(kind: NoticeKind) -> None:
    _kinds[kind.key] = kind


def notice_kind(key: str) -> NoticeKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"no notice kind {key!r} registered") from None


def notice_kinds() -> list[NoticeKind]:
    return list(_kinds.values())
