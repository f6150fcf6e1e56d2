"""The authorization matrix of the bulk import/export pages: every endpoint × every kind of caller.

Callers (grants on 520200 六盘水市总工会 unless said otherwise):

    anon      nobody
    foreign   officer on 621100 定西 (another province)
    viewer    built-in viewer: may export, may not import
    officer   built-in officer: the actor of the world's jobs and of the pending upload
    officer2  another officer of 六盘水: sees the jobs, not another's error workbook
    admin     built-in admin: holds members.person.view_id (full numbers, others' workbooks)

The world holds an import job of the officer's (done, with an error workbook), a
failed one, a masked export of 六盘水 and an upload waiting in the officer's
session for its preview. Out-of-scope ids answer 404, never 403; a refusal
leaves jobs, registry, orgs, audit log and the pending uploads as they were.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from gonghui.accounts.models import Grant, User
from gonghui.accounts.scope import scope_for_user
from gonghui.accounts.services import grant_role
from gonghui.conftest import Tree, build_tree
from gonghui.core import jobs
from gonghui.core.bulk.files import data_dir, new_pending_path, relative
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent, BulkJob
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.worlds import class_world_fixtures
from gonghui.imports.tests.test_bulk_web import roster_csv, roster_lines
from gonghui.members.models import Membership, Person
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db

GRANTS: dict[str, tuple[str, str]] = {
    "foreign": ("officer", "621100"),
    "viewer": ("viewer", "520200"),
    "officer": ("officer", "520200"),
    "officer2": ("officer", "520200"),
    "admin": ("admin", "520200"),
}
ACTORS = ["anon", *GRANTS]
LPS_MARKERS = ("六盘水市总工会", "钟山区快递员联合工会", "骑手甲")

OK = "ok"
LOGIN = "login"
POLICY: dict[str, dict[str, object]] = {
    "authenticated": {},
    "import_any": {"viewer": 403},
    "import_lps": {"foreign": 404, "viewer": 403},
    "own_session": {a: 404 for a in GRANTS if a != "officer"},
    "import_job": {"foreign": 404, "viewer": 404},
    "import_report": {"foreign": 404, "viewer": 404, "officer2": 403},
    "rerun": {"foreign": 404, "viewer": 404, "officer2": 403, "admin": 403},
    "export_lps": {"foreign": 404},
}


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    session_keys: dict[str, str]
    ids: dict[str, Any]
    pending_copy: Path
    actor: str = ""

    @property
    def user(self) -> User | None:
        return self.users.get(self.actor)

    def fmt(self, url: str) -> str:
        return url.format(**self.ids)

    def client(self):
        c = new_client()
        if self.actor in self.session_keys:
            c.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[self.actor]
        return c

    def restore_pending(self) -> None:
        """The officer's waiting upload, put back if an earlier test started or cancelled it."""
        target = data_dir() / self.ids["pending_file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.pending_copy, target)


def _build_world() -> World:
    tree = build_tree()
    users: dict[str, User] = {}
    session_keys: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = User.objects.create_user(username=actor, password="Test-password-2026")
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        users[actor] = user
        c = new_client()
        c.force_login(user)
        session_keys[actor] = c.cookies[settings.SESSION_COOKIE_NAME].value
    officer = users["officer"]
    scope = scope_for_user(officer)
    courier = Org.all_objects.get(code="520201G001")
    members = get_kind("members")

    def queued(lines: list[str]) -> BulkJob:
        path = new_pending_path(".csv")
        path.write_bytes(roster_csv(lines))
        return jobs.bulk_import_start(
            actor=officer,
            scope=scope,
            kind=members,
            org=courier,
            stored=relative(path),
            file_name="r.csv",
            dry_run=False,
        )

    done = queued([*roster_lines(2), "坏行,123,,,,520201G001,,"])
    assert jobs.bulk_job_execute(done.pk, done.attempt) == "done"
    failed = queued(roster_lines(2, start=50))
    BulkJob.all_objects.filter(pk=failed.pk).update(status="failed", error="测试：任务失败")
    export = jobs.bulk_export_start(
        actor=officer, scope=scope, kind=members, org=Org.all_objects.get(code="520200"), unmasked=False
    )
    assert jobs.bulk_job_execute(export.pk, export.attempt) == "done"

    # The officer's upload, waiting on its preview in their session.
    c = new_client()
    c.cookies[settings.SESSION_COOKIE_NAME] = session_keys["officer"]
    body = io.BytesIO(roster_csv(roster_lines(2, start=80)))
    body.name = "waiting.csv"
    resp = c.post("/imports/new/", {"kind": "members", "org": "520201G001", "file": body})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    token = resp.url.rstrip("/").rsplit("/", 1)[-1]
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_keys["officer"])
    pending = data_dir() / store["bulk_uploads"][token]["file"]
    copy = data_dir() / "authz-pending-copy.csv"
    shutil.copyfile(pending, copy)
    ids = {
        "import_job": done.pk,
        "failed_job": failed.pk,
        "export_job": export.pk,
        "token": token,
        "pending_file": relative(pending),
    }
    return World(tree=tree, users=users, session_keys=session_keys, ids=ids, pending_copy=copy)


world, world_for = class_world_fixtures(_build_world)


def pending_names() -> list[str]:
    folder = data_dir() / "uploads" / "pending"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def snapshot() -> dict[str, Any]:
    with unscoped():
        return {
            "jobs": list(BulkJob.all_objects.order_by("pk").values_list("pk", "status", "attempt", "unmasked")),
            "people": Person.objects.count(),
            "memberships": list(Membership.all_objects.order_by("pk").values_list("pk", "org_id", "status")),
            "orgs": list(Org.all_objects.order_by("pk").values_list("pk", "code", "name", "path")),
            "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action")),
            "pending": pending_names(),
        }


def new_jobs(before: dict[str, Any]) -> list[BulkJob]:
    seen = {row[0] for row in before["jobs"]}
    return [j for j in BulkJob.all_objects.order_by("pk") if j.pk not in seen]


# --- effects and checks ------------------------------------------------------------------------


def effect_uploaded(w: World, before: dict[str, Any], resp) -> None:
    assert resp.url.startswith("/imports/preview/")
    after = snapshot()
    added = sorted(set(after["pending"]) - set(before["pending"]))
    assert len(added) == 1
    assert {k: v for k, v in after.items() if k != "pending"} == {k: v for k, v in before.items() if k != "pending"}
    (data_dir() / "uploads" / "pending" / added[0]).unlink()


def effect_started(w: World, before: dict[str, Any], resp) -> None:
    [job] = new_jobs(before)
    assert resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.actor_id, job.file_name) == ("done", w.user.pk, "waiting.csv")
    assert job.summary["created"] == 2
    assert w.ids["pending_file"].rsplit("/", 1)[-1] not in pending_names()


def effect_cancelled(w: World, before: dict[str, Any], resp) -> None:
    assert resp.url == "/imports/"
    assert not new_jobs(before)
    assert w.ids["pending_file"].rsplit("/", 1)[-1] not in pending_names()


def effect_rerun(w: World, before: dict[str, Any], resp) -> None:
    job = BulkJob.all_objects.get(pk=w.ids["failed_job"])
    assert resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.attempt, job.summary["created"]) == ("done", 2, 2)


def effect_exported(w: World, before: dict[str, Any], resp) -> None:
    [job] = new_jobs(before)
    assert resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.direction, job.actor_id) == ("done", "export", w.user.pk)
    # The tick counts only for a holder of members.person.view_id; for the others it is not on the form.
    unmasked = w.actor == "admin"
    assert job.unmasked is unmasked
    seen = {row[0] for row in before["audit"]}
    actions = [e.action for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]
    assert actions == ["members.export.unmasked" if unmasked else "members.export"]


def contains(*texts: str) -> Callable[[World, Any], None]:
    def _check(w: World, resp) -> None:
        content = resp.content.decode()
        for text in texts:
            assert text in content

    return _check


def is_xlsx(w: World, resp) -> None:
    assert b"".join(resp.streaming_content).startswith(b"PK\x03\x04")


def check_list(w: World, resp) -> None:
    content = resp.content.decode()
    visible = {
        "foreign": set(),
        "viewer": {"export_job"},  # may export 六盘水, may not import into it
    }.get(w.actor, {"import_job", "failed_job", "export_job"})
    for name in ("import_job", "failed_job", "export_job"):
        assert (f'href="/imports/{w.ids[name]}/"' in content) == (name in visible), name


def upload_body() -> dict[str, Any]:
    body = io.BytesIO(roster_csv(roster_lines(2, start=90)))
    body.name = "new.csv"
    return {"kind": "members", "org": "520201G001", "file": body}


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str
    url: str
    policy: str
    ok_status: int = 200
    body: Callable[[], dict[str, Any]] | None = None
    effect: Callable[[World, dict[str, Any], Any], None] | None = None
    check: Callable[[World, Any], None] | None = None


EXPORT_BODY = {"kind": "members", "org": "520200", "fmt": "xlsx", "unmasked": "on"}

ENDPOINTS = [
    Endpoint("list", "get", "/imports/", "authenticated", check=check_list),
    Endpoint("upload-form", "get", "/imports/new/", "import_any", check=contains("上传并预览")),
    Endpoint("upload", "post", "/imports/new/", "import_lps", 302, upload_body, effect_uploaded),
    Endpoint("template-members", "get", "/imports/templates/members/", "import_any", check=is_xlsx),
    Endpoint("template-orgs", "get", "/imports/templates/orgs/", "import_any", check=is_xlsx),
    Endpoint("preview", "get", "/imports/preview/{token}/", "own_session", check=contains("开始导入", "waiting.csv")),
    Endpoint("preview-start", "post", "/imports/preview/{token}/start/", "own_session", 302, dict, effect_started),
    Endpoint("preview-cancel", "post", "/imports/preview/{token}/cancel/", "own_session", 302, dict, effect_cancelled),
    Endpoint("job", "get", "/imports/{import_job}/", "import_job", check=contains("钟山区快递员联合工会")),
    Endpoint("job-status", "get", "/imports/{import_job}/status/", "import_job", check=contains('data-status="done"')),
    Endpoint("job-report", "get", "/imports/{import_job}/download/", "import_report", check=is_xlsx),
    Endpoint("job-rerun", "post", "/imports/{failed_job}/rerun/", "rerun", 302, dict, effect_rerun),
    Endpoint("export-form", "get", "/imports/export/", "authenticated", check=contains("开始导出")),
    Endpoint("export", "post", "/imports/export/", "export_lps", 302, lambda: dict(EXPORT_BODY), effect_exported),
    Endpoint("export-job", "get", "/imports/{export_job}/", "export_lps", check=contains("已导出")),
    Endpoint("export-download", "get", "/imports/{export_job}/download/", "export_lps", check=is_xlsx),
]


def _cases() -> list[Any]:
    return [pytest.param(ep, actor, id=f"{ep.id}-{actor}") for ep in ENDPOINTS for actor in ACTORS]


class TestMatrix:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def own_data_dir(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
        """Files of the class's own (autouse runs before the world is built): the pending folder is compared."""
        with override_settings(DATA_DIR=tmp_path_factory.mktemp("bulk-authz")):
            yield

    @pytest.mark.parametrize(("ep", "actor"), _cases())
    def test_page(self, world_for, django_capture_on_commit_callbacks, ep: Endpoint, actor: str) -> None:
        w = world_for(actor)
        w.restore_pending()
        client = w.client()
        before = snapshot()
        url = w.fmt(ep.url)
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(url, data=ep.body() if ep.body else {}) if ep.method == "post" else client.get(url)
        expected = LOGIN if actor == "anon" else POLICY[ep.policy].get(actor, OK)

        if expected == OK:
            assert resp.status_code == ep.ok_status, getattr(resp, "content", b"").decode()[:2000]
            if ep.effect is not None:
                ep.effect(w, before, resp)
            else:
                assert snapshot() == before
            if ep.check is not None:
                ep.check(w, resp)
        elif expected == LOGIN:
            assert resp.status_code == 302
            assert resp.url.startswith("/accounts/login/?next=")
            assert snapshot() == before
        else:
            assert resp.status_code == expected
            assert snapshot() == before
        if actor == "foreign" and not getattr(resp, "streaming", False):
            content = resp.content.decode()
            assert not any(marker in content for marker in LPS_MARKERS)


# --- beyond the matrix -------------------------------------------------------------------------


@pytest.fixture(autouse=False)
def private_data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_permission_withdrawn_after_the_preview_refuses_the_start(
    tree, make_user, login, private_data_dir, django_capture_on_commit_callbacks
) -> None:
    officer = make_user("o", ("officer", "520200"))
    client = login(officer)
    body = io.BytesIO(roster_csv(roster_lines(2)))
    body.name = "r.csv"
    preview = client.post("/imports/new/", {"kind": "members", "org": "520201G001", "file": body}).url
    Grant.objects.filter(user=officer).delete()
    grant_role(actor=None, actor_scope=None, user=officer, role_name="viewer", org_code="520200")
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(preview + "start/").status_code == 403
    assert snapshot() == before


def test_the_upload_checks_csrf_and_keeps_nothing_it_refused(tree, make_user, private_data_dir) -> None:
    officer = make_user("o", ("officer", "520200"))
    client = new_client(csrf=True)
    client.force_login(officer)

    def post(**extra: str):
        body = io.BytesIO(roster_csv(roster_lines(1)))
        body.name = "r.csv"
        return client.post("/imports/new/", {"kind": "members", "org": "520201G001", "file": body, **extra})

    assert post().status_code == 403
    assert pending_names() == []
    client.get("/imports/new/")
    resp = post(csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert resp.status_code == 302 and resp.url.startswith("/imports/preview/")
    assert len(pending_names()) == 1


def test_orgs_import_needs_the_create_permission_on_the_union(tree, make_user, login, private_data_dir) -> None:
    # A reviewer of 六盘水 (officer elsewhere, so the orgs kind is offered) may create nothing there.
    reviewer = make_user("r", ("reviewer", "520200"), ("officer", "621100"))
    body = io.BytesIO("工会代码,工会名称,组织类型\n520200X1,某工会,基层工会\n".encode())
    body.name = "orgs.csv"
    before = snapshot()
    resp = login(reviewer).post("/imports/new/", {"kind": "orgs", "org": "520200", "file": body})
    assert resp.status_code == 403
    assert snapshot() == before
