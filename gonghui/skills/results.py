"""After the ranking: the results' 公示 (the shared notices), its objections and close, certificates, the
recommendation of a winner to an honors campaign; and a contestant's withdrawal before scoring.

    ranked (已排名) → published (结果公示中: the winners listed, objections received)
        → final (结果已确认: the 公示 closed after its period, every objection settled)

An upheld objection takes the award back from that contestant (the rank stands, the note says why);
the others keep theirs. Certificates are issued and winners recommended only once the awards are
final. The 公示 shows names, the registering union, the enterprise, the event and the award: never an
ID number, never an internal id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.honors import services as honors
from gonghui.honors.models import Campaign
from gonghui.notices import services as notices
from gonghui.notices.certificates import CertificateIn, certificates_issue
from gonghui.notices.kinds import NoticeKind
from gonghui.notices.models import Certificate, DayBasis, PublicationEntry
from gonghui.orgs.models import Org
from gonghui.skills import errors as _errors  # noqa: F401  (registers messages)
from gonghui.skills.models import Contest, ContestStatus, Entry, EntryStatus, Score
from gonghui.skills.permissions import SkillsPerm
from gonghui.skills.scoring import AWARD_LABELS
from gonghui.skills.services import STATES, _audit, _locked

KIND = "skills.results"  # the notice kind, and the audit namespace of its writes (skills.results.publish …)


def entry_removed(entry: PublicationEntry, note: str, actor: User | None) -> None:
    """An objection to a winner was upheld: the award is taken back, with the reason; the rank stands."""
    Entry.all_objects.filter(pk=entry.subject_id).update(award="", award_note=f"公示异议成立：{note}"[:200])


NOTICE_KIND = NoticeKind(
    key=KIND,
    label="技能竞赛获奖",
    view_perm=SkillsPerm.VIEW,
    publish_perm=SkillsPerm.MANAGE,
    resolve_perm=SkillsPerm.RESOLVE,
    name_heading="姓名",
    columns=(("event", "比赛项目"), ("award", "奖项"), ("union", "报名工会"), ("enterprise", "工作单位")),
    on_removed=entry_removed,
)


def _org(contest: Contest) -> Org:
    with unscoped():
        return Org.all_objects.get(pk=contest.org_id)


def _state(contest: Contest, action: str) -> DomainError:
    return DomainError("skills.contest_wrong_state", contest=contest.name, state=STATES[contest.status], action=action)


def winners(contest: Contest) -> list[Entry]:
    """The award winners, by event and rank (the caller reached the contest in its scope)."""
    with unscoped():
        return list(
            Entry.objects.filter(contest=contest, status=EntryStatus.REGISTERED)
            .exclude(award="")
            .select_related("person", "org", "event")
            .order_by("event_id", "rank", "number")
        )


def results_publish(
    *,
    actor: User | None,
    scope: Scope | None,
    contest: Contest,
    days: int = 5,
    day_basis: str = DayBasis.WORKING,
    starts_on: date | None = None,
) -> Contest:
    """Publish the award winners of a ranked contest (公示) for `days` (5 working days by default)."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        if contest.status != ContestStatus.RANKED:
            raise _state(contest, "公示获奖结果")
        rows = winners(contest)
        org = _org(contest)
        publication = notices.publication_create(
            actor=actor,
            scope=scope,
            kind=KIND,
            org=org,
            year=contest.held_on.year,
            title=f"{contest.name}获奖名单公示",
            lead=f"{contest.name}（{contest.trade}，{contest.held_on:%Y年%-m月%-d日}）经理论和实操考核、"
            f"排名定奖，拟授予以下 {len(rows)} 名选手奖项，现予公示。",
            entries=[
                notices.EntryIn(
                    subject=e,
                    name=e.person.name,
                    details={
                        "event": e.event.name,
                        "award": AWARD_LABELS.get(e.award, e.award),
                        "union": e.org.name,
                        "enterprise": e.enterprise,
                    },
                )
                for e in rows
            ],
            days=days,
            day_basis=day_basis,
            starts_on=starts_on,
        )
        contest.publication, contest.status = publication, ContestStatus.PUBLISHED
        contest.save(update_fields=["publication", "status"])
    return contest


def results_close(*, actor: User | None, scope: Scope | None, contest: Contest, on: date | None = None) -> Contest:
    """End the 公示 once its period is over and every objection is settled: the awards still listed are final."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        publication = contest.publication
        if contest.status != ContestStatus.PUBLISHED or publication is None:
            raise _state(contest, "结束公示")
        notices.publication_close(actor=actor, scope=scope, publication=publication, on=on)
        contest.status = ContestStatus.FINAL
        contest.save(update_fields=["status"])
        _audit(actor, "results.final", contest, awards=len(winners(contest)))
    return contest


def _certificate_title(entry: Entry, contest: Contest) -> str:
    return f"{contest.name}（{entry.event.name}）{AWARD_LABELS.get(entry.award, entry.award)}"


def certificates_for(
    *, actor: User | None, scope: Scope | None, contest: Contest, entries: Sequence[Entry] | None = None
) -> list[Certificate]:
    """Certificates for the final winners (all, or `entries`) who have none yet; the ones they have are kept."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        if contest.status != ContestStatus.FINAL:
            raise _state(contest, "颁发证书")
        rows = winners(contest)
        if entries is not None:
            wanted = {e.pk for e in entries}
            if wanted - {e.pk for e in rows}:
                raise DomainError("skills.not_a_winner")
            rows = [e for e in rows if e.pk in wanted]
        rows = [e for e in rows if e.certificate_id is None]
        if not rows:
            return []
        org = _org(contest)
        issued = certificates_issue(
            actor=actor,
            scope=scope,
            kind=KIND,
            org=org,
            items=[
                CertificateIn(
                    holder_name=e.person.name,
                    title=_certificate_title(e, contest),
                    awarding_body=org.name,
                    year=contest.held_on.year,
                    level=contest.get_level_display(),
                    subject=e,
                )
                for e in rows
            ],
        )
        by_entry = {c.subject_id: c for c in issued}
        for e in rows:
            e.certificate = by_entry[e.pk]
        Entry.all_objects.bulk_update(rows, ["certificate"])
    return issued


def entry_withdraw(*, actor: User | None, scope: Scope | None, entry: Entry, reason: str = "") -> Entry:
    """A contestant withdraws (by their union or the organiser) before any score of theirs is typed."""
    with unscoped():
        contest = Contest.all_objects.get(pk=entry.contest_id)
    if scope is not None and not (
        scope.has_perm(SkillsPerm.REGISTER, entry.org_path) or scope.has_perm(SkillsPerm.MANAGE, contest.org_path)
    ):
        require_perm_at(scope, SkillsPerm.REGISTER, entry.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        entry = Entry.all_objects.select_for_update().get(pk=entry.pk)
        if entry.status != EntryStatus.REGISTERED:
            raise DomainError("skills.entry_withdrawn", number=f"{entry.number:03d}")
        if contest.is_ranked or Score.objects.filter(entry=entry).exists():
            raise DomainError("skills.entry_scored", number=f"{entry.number:03d}")
        entry.status, entry.withdrawn_at = EntryStatus.WITHDRAWN, timezone.now()
        entry.withdraw_reason = reason.strip()[:200]
        entry.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
        _audit(actor, "entry.withdraw", contest, target=entry, number=entry.number, note=entry.withdraw_reason)
    return entry


def deeds_of(entry: Entry, contest: Contest) -> str:
    """The contest result as a nomination's facts (主要事迹)."""
    return (
        f"在{contest.held_on:%Y年%-m月}{_org(contest).name}举办的{contest.name}（{contest.get_level_display()}，"
        f"{contest.trade}）{entry.event.name}项目中，理论成绩 {entry.theory} 分、实操成绩 {entry.practical} 分，"
        f"总成绩 {entry.total} 分，名列第 {entry.rank} 名，获{AWARD_LABELS.get(entry.award, entry.award)}"
        "（获奖名单已经公示无异议）。"
    )


def winner_recommend(
    *, actor: User | None, scope: Scope | None, entry: Entry, campaign: Campaign, deeds: str = ""
) -> Entry:
    """Recommend a final winner to an open honors campaign (e.g. the 五一劳动奖章) through honors' services.

    The nominating union is the organiser when it lies under the campaign's union, else the
    contestant's own union; the contest result is the nomination's facts (unless others are given).
    """
    with unscoped():
        contest = Contest.all_objects.get(pk=entry.contest_id)
        entry = Entry.all_objects.select_related("person", "event", "membership").get(pk=entry.pk)
        organiser, own = _org(contest), Org.all_objects.get(pk=entry.org_id)
    if contest.status != ContestStatus.FINAL:
        raise _state(contest, "推荐评选")
    if entry.status != EntryStatus.REGISTERED or not entry.award:
        raise DomainError("skills.not_a_winner")
    if entry.nomination_id is not None:
        raise DomainError("skills.already_recommended", name=entry.person.name)
    below = organiser.path != campaign.org_path and organiser.path.startswith(campaign.org_path)
    with transaction.atomic():
        nomination = honors.nomination_create(
            actor=actor,
            scope=scope,
            campaign=campaign,
            org=organiser if below else own,
            membership=entry.membership,
            deeds=deeds.strip() or deeds_of(entry, contest),
            employer=entry.enterprise,
            front_line=True,
        )
        with unscoped():
            Entry.all_objects.filter(pk=entry.pk).update(nomination=nomination)
        _audit(actor, "entry.recommend", contest, target=entry, number=entry.number, campaign=campaign.pk)
    entry.nomination = nomination
    return entry
