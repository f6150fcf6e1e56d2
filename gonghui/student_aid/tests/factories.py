"""The 金秋助学 test world: a standard table, the unions' officers and reviewers, a worker with a card.

    520201 钟山区总工会 (county federation: approves, publishes, pays)
    └── 520201G001 钟山区快递员联合工会 (grassroots: applies, reviews)

Standards (the Tianmen 2024 figures, set at the city 520200): on file 本科 ¥5,000 and
高中 ¥3,000; not on file ¥4,000 and ¥2,000; every school year 2019–2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.scoping import Scope, unscoped
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import PayoutItem
from gonghui.payouts.services import (
    ItemResult,
    payout_bank_file,
    payout_batch_decide,
    payout_batch_submit,
    payout_results_apply,
)
from gonghui.student_aid.applications import StudentIn, application_apply, application_decide
from gonghui.student_aid.disbursement import batch_paid_sync, disbursement_create
from gonghui.student_aid.models import AidStandard, Publication, StudentAidApplication, StudentLevel
from gonghui.student_aid.publication import publication_close, publication_create

AMOUNTS = {
    (StudentLevel.UNDERGRADUATE, True): 5000_00,
    (StudentLevel.HIGH_SCHOOL, True): 3000_00,
    (StudentLevel.UNDERGRADUATE, False): 4000_00,
    (StudentLevel.HIGH_SCHOOL, False): 2000_00,
}


@dataclass
class World:
    tree: Any
    bank: BankPartner
    worker: Membership
    users: dict[str, User]
    scopes: dict[str, Scope] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, Any]:
        return {"actor": self.users[who], "scope": self.scopes[who]}


# 李师傅, born 1976: old enough to be 李小龙's father (the phone checks the ages of a parent and a child).
WORKER_ID = id_number(700, birth="19760307")


def build_world(tree: Any, make_user: Any) -> World:
    for (level, on_file), fen in AMOUNTS.items():
        AidStandard.objects.bulk_create(
            [
                AidStandard(region_code="520200", year=y, level=level, on_file=on_file, amount_fen=fen)
                for y in range(2019, 2027)
            ]
        )
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    worker = register(tree.courier_union, WORKER_ID, name="李师傅")
    give_card(worker, bank, 70)
    users = {
        "officer": make_user("unit_officer", ("officer", "520201G001")),
        "unit": make_user("unit_reviewer", ("reviewer", "520201G001")),
        "county_officer": make_user("county_officer", ("officer", "520201")),
        "county": make_user("county_reviewer", ("reviewer", "520201")),
        "checker": make_user("county_checker", ("reviewer", "520201")),
        "foreign": make_user("nm_officer", ("officer", "520102"), ("reviewer", "520102")),
    }
    return World(tree, bank, worker, users, {k: scope_for_user(u) for k, u in users.items()})


def give_card(membership: Membership, bank: BankPartner, seq: int) -> None:
    card = card_apply(actor=None, scope=None, membership=membership, bank=bank, consented=True)
    card_issue(actor=None, scope=None, card=card, card_number=card_number(seq))
    card_transition(actor=None, scope=None, card=card, action="activate")


SON = id_number(701, birth="20040301")

STUDENT = StudentIn(
    name="李小龙",
    id_number=SON,
    relation="子",
    school="贵州大学",
    major="计算机科学与技术",
    level=StudentLevel.UNDERGRADUATE,
    enrolment_year=2026,
    graduation_year=2030,
    tuition_fen=5200_00,
    loan_fen=0,
)


def apply(world: World, *, who: str = "officer", school_year: int = 2026, **changes: Any) -> StudentAidApplication:
    membership = changes.pop("membership", world.worker)
    promise = changes.pop("promise_signed", True)
    continued_from = changes.pop("continued_from", None)
    return application_apply(
        **world.as_(who),
        membership=membership,
        student=replace(STUDENT, **changes),
        school_year=school_year,
        promise_signed=promise,
        continued_from=continued_from,
    )


def approve(world: World, application: StudentAidApplication) -> StudentAidApplication:
    application_decide(**world.as_("unit"), application=application, approve=True)
    return application_decide(**world.as_("county"), application=application, approve=True)


def publish(world: World, school_year: int = 2026, days: int = 7) -> Publication:
    return publication_create(
        **world.as_("county_officer"), org=world.tree.zhongshan, school_year=school_year, days=days
    )


def close(world: World, publication: Publication) -> Publication:
    return publication_close(
        **world.as_("county_officer"), publication=publication, on=publication.ends_on + timedelta(days=1)
    )


def pay(world: World, publication: Publication, tmp_path: Path, *, fail: frozenset[int] = frozenset()) -> int:
    """Disburse a closed publication through its checker and the bank, which fails `fail` (person ids)."""
    batch, _refused = disbursement_create(**world.as_("county_officer"), publication=publication, bank=world.bank)
    payout_batch_submit(**world.as_("county_officer"), batch=batch)
    payout_batch_decide(**world.as_("checker"), batch=batch, approve=True)
    payout_bank_file(**world.as_("county_officer"), batch=batch, path=tmp_path / f"batch-{batch.pk}.csv")
    with unscoped():
        items = list(PayoutItem.objects.filter(batch=batch))
        applications = StudentAidApplication.all_objects.filter(publication=publication, status="paid")
        before = applications.count()
    # The bank's answer alone marks the applications paid (cards' `payout_items_settled` signal)…
    payout_results_apply(
        **world.as_("county_officer"),
        batch=batch,
        results=[ItemResult(i.pk, i.person_id not in fail, i.amount_fen, "账户冻结") for i in items],
    )
    with unscoped():
        settled = applications.count() - before
    # …and syncing again changes nothing.
    assert batch_paid_sync(actor=world.users["county_officer"], batch=batch) == 0
    return settled


def reload(application: StudentAidApplication) -> StudentAidApplication:
    return StudentAidApplication.all_objects.get(pk=application.pk)
