"""The 词语对照 page: a platform admin teaches the platform a word, and every reader takes it at once."""

from __future__ import annotations

import pytest

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, Synonym
from gonghui.members.validation import FieldError, clean_code


@pytest.fixture
def admin(make_user, login):
    return login(make_user("platform", superuser=True))


def test_an_admin_adds_a_word_and_the_registry_reads_it(tree, admin) -> None:
    with pytest.raises(FieldError):
        clean_code("education", "普高班", "学历")
    page = admin.get("/synonyms/?table=education").content.decode()
    assert "普通高中" in page and "高中、" in page  # the shipped words beside the label
    resp = admin.post("/synonyms/education/add/", {"word": "普高班", "value": "60"})
    assert resp.status_code == 302
    assert clean_code("education", "普高班", "学历") == "60"
    assert "普高班" in admin.get(resp.url).content.decode()
    event = AuditEvent.all_objects.get(action="core.synonym.add")
    assert event.data == {"table": "学历", "word": "普高班", "value": "普通高中"}


def test_a_refused_word_keeps_what_was_typed_and_shows_every_error(tree, admin) -> None:
    resp = admin.post("/synonyms/education/add/", {"word": "", "value": ""})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert page.count("text-danger small") == 2  # both fields at once
    resp = admin.post("/synonyms/education/add/", {"word": "大学本科", "value": "60"})
    assert "“大学本科”已是该表的代码或名称，无需对照" in resp.content.decode()
    assert 'value="大学本科"' in resp.content.decode()
    assert not Synonym.objects.exists()


def test_a_word_added_twice_is_refused_and_a_word_removed_is_forgotten(tree, admin) -> None:
    admin.post("/synonyms/education/add/", {"word": "普高班", "value": "60"})
    resp = admin.post("/synonyms/education/add/", {"word": "普 高 班", "value": "70"})
    assert "常用写法“普高班”已在该表中" in resp.content.decode()
    synonym = Synonym.objects.get()
    assert admin.post(f"/synonyms/{synonym.pk}/delete/").status_code == 302
    with pytest.raises(FieldError):
        clean_code("education", "普高班", "学历")
    deleted = AuditEvent.all_objects.get(action="core.synonym.delete")
    assert deleted.data == {"table": "学历", "word": "普高班", "value": "普通高中"}


def test_only_a_platform_admin_may_open_or_change_it(tree, make_user, login) -> None:
    officer = login(make_user("officer", ("admin", "520000")))
    assert officer.get("/synonyms/").status_code == 403
    assert officer.post("/synonyms/education/add/", {"word": "普高班", "value": "60"}).status_code == 403
    assert not Synonym.objects.exists()
    from gonghui.core.scoping import Scope
    from gonghui.core.synonyms import synonym_add

    with pytest.raises(DomainError):
        synonym_add(actor=None, scope=Scope(user_id=1), table="education", word="普高班", value="60")
