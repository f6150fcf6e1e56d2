"""Adding and removing a platform admin's synonyms (`core.Synonym`), read by `core.words`.

Only a platform admin (superuser) edits them: a word changes how every union's files
and forms are read. Each change is audited and takes effect at once in this process
(within `words.ADMIN_TTL` seconds in the server's others).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from gonghui.core import words
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import Synonym
from gonghui.core.scoping import Scope

if TYPE_CHECKING:
    from gonghui.accounts.models import User

MAX_WORD = 60


def _require_admin(scope: Scope | None) -> None:
    if scope is not None and not scope.is_superuser:
        raise PermissionDeniedError("core.synonym.change")


def synonym_add(*, actor: User | None, scope: Scope | None, table: str, word: str, value: str) -> Synonym:
    """Teach the matcher that `word` means `value` in `table`; refusals name the field."""
    _require_admin(scope)
    try:
        choices = words.choice_table(table)
    except KeyError as exc:
        raise DomainError("synonym.table_unknown", field="table") from exc
    normalized = words.normalize_word(word)
    errors: dict[str, str] = {}
    if not normalized:
        errors["word"] = "请填写常用写法"
    elif len(normalized) > MAX_WORD:
        errors["word"] = f"常用写法不能超过 {MAX_WORD} 个字符"
    labels = {str(v): str(label) for v, label in choices.options()}
    if value not in labels:
        errors["value"] = "请选择对应的选项"
    names = {words.normalize_word(n) for pair in labels.items() for n in pair}
    if normalized in names:
        # A code or an official label already names its choice: as a synonym it would be dead or hide one.
        errors["word"] = f"“{word}”已是该表的代码或名称，无需对照"
    if errors:
        raise DomainError("synonym.invalid", details=errors, reasons="；".join(errors.values()))
    try:
        with transaction.atomic():
            synonym = Synonym.objects.create(table=table, word=normalized, value=value, created_by=actor)
            audit_record(
                actor=actor,
                action="core.synonym.add",
                target=synonym,
                data={"table": choices.title, "word": normalized, "value": labels[value]},
            )
    except IntegrityError as exc:
        raise DomainError("synonym.exists", field="word", word=normalized) from exc
    words.synonyms_changed()
    return synonym


def synonym_delete(*, actor: User | None, scope: Scope | None, synonym: Synonym) -> None:
    _require_admin(scope)
    # Recorded in the same words as its addition: the table's title and the choice's label.
    choices = words.choice_table(synonym.table)
    labels = {str(v): str(label) for v, label in choices.options()}
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="core.synonym.delete",
            target=synonym,
            data={"table": choices.title, "word": synonym.word, "value": labels.get(synonym.value, synonym.value)},
        )
        synonym.delete()
    words.synonyms_changed()
