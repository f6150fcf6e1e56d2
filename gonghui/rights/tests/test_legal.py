"""Legal aid's services: the roster's rules, a case taken on as legal aid with its hearings and its
closing (once, with the amount in fen), 法律体检 visits and their follow-up; refusals change nothing;
audit events; the statistics recounted from the rows."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.audit import AuditEvent
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.stats import stats_collect
from gonghui.rights import legal, services
from gonghui.rights.models import AidStatus, Hearing, Lawyer, LawyerVisit, LegalAidMatter, VisitIssue
from gonghui.rights.tests.conftest import act
from gonghui.rights.tests.factories import take_call
from gonghui.rights.tests.legal_factories import USCC, add_lawyer, county_case, lawyer_raw

pytestmark = pytest.mark.django_db

D = date(2026, 3, 2)


def _refusal(call) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        call()
    assert isinstance(exc.value.details, dict)
    return exc.value.details


def test_the_roster_checks_every_field_at_once_and_reads_everyday_words(people) -> None:  # type: ignore[no-untyped-def]
    tree, scope = people["tree"], people["scopes"]["city"]
    raw = lawyer_raw(name=" ", licence_no="1520120181012345", areas="欠薪、天文学", phone="12ab")
    errors = _refusal(lambda: legal.lawyer_add(actor=None, scope=scope, org=tree.lps, raw=raw))
    assert set(errors) == {"name", "licence_no", "areas", "phone"}
    assert "17 位数字（现为 16 位）" in errors["licence_no"] and "天文学" in errors["areas"]
    assert not Lawyer.all_objects.exists()
    lw = legal.lawyer_add(
        actor=people["users"]["city"], scope=scope, org=tree.lps, raw=lawyer_raw(phone="138-1234-5678")
    )
    assert lw.areas == ["wages", "injury", "arbitration"] and lw.phone == "13812345678" and lw.org_path == tree.lps.path
    event = AuditEvent.all_objects.get(action="rights.lawyer.add")
    assert "13812345678" not in str(event.data) and event.data["phone"] == "138****5678"
    # One line per licence in a union; the same lawyer may be on another union's roster.
    assert "licence_no" in _refusal(lambda: legal.lawyer_add(actor=None, scope=scope, org=tree.lps, raw=lawyer_raw()))
    add_lawyer(tree.zhongshan)
    # The sibling county's officer may not touch the city's roster.
    with pytest.raises(PermissionDeniedError):
        legal.lawyer_add(
            actor=None, scope=people["scopes"]["sibling"], org=tree.lps, raw=lawyer_raw(licence_no="1" * 17)
        )
    changed = legal.lawyer_change(actor=None, scope=scope, lawyer=lw, raw=lawyer_raw(active=False, areas="合规"))
    assert (changed.active, changed.areas) == (False, ["compliance"])


def test_a_case_becomes_legal_aid_with_a_lawyer_from_its_union_or_above(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree, county = people["tree"], people["scopes"]["county"]
    case = county_case(people)
    province_lawyer = add_lawyer(tree.province)
    sibling_lawyer = add_lawyer(tree.nanming, licence_no="2" * 17)
    retired = add_lawyer(tree.zhongshan, licence_no="3" * 17, active=False)

    def open_with(lawyer_id: object, **kw: object) -> LegalAidMatter:
        return legal.aid_open(
            actor=people["users"]["county"],
            scope=county,
            case=case,
            form=kw.get("form", "仲裁"),
            lawyer_id=lawyer_id,
            opened_on=kw.get("opened_on", D),
        )

    for refused in (sibling_lawyer.pk, retired.pk, "x", ""):
        assert "lawyer" in _refusal(lambda refused=refused: open_with(refused))
    errors = _refusal(lambda: open_with("", form="天文", opened_on="昨天"))
    assert set(errors) == {"form", "lawyer", "opened_on"}
    # The viewer sees the case and may not take it on; the sibling county neither.
    for who in ("viewer", "sibling"):
        with pytest.raises(PermissionDeniedError):
            legal.aid_open(
                actor=None,
                scope=people["scopes"][who],
                case=case,
                form="仲裁",
                lawyer_id=province_lawyer.pk,
                opened_on=D,
            )
    assert not LegalAidMatter.all_objects.exists()
    matter = open_with(province_lawyer.pk)
    assert (matter.form, matter.org_id, matter.org_path, matter.status) == (
        "arbitration",
        tree.zhongshan.pk,
        tree.zhongshan.path,
        AidStatus.OPEN,
    )
    with pytest.raises(DomainError) as exc:
        open_with(province_lawyer.pk)
    assert (exc.value.code, exc.value.status) == ("rights.aid_exists", 409)
    assert AuditEvent.all_objects.filter(action="rights.aid.open").count() == 1


def test_a_closed_case_is_not_taken_on(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province, kind="咨询", answered=True, answer="已答复")
    lw = add_lawyer(tree.province)
    with pytest.raises(DomainError) as exc:
        legal.aid_open(
            actor=None, scope=people["scopes"]["operator"], case=case, form="代写", lawyer_id=lw.pk, opened_on=D
        )
    assert exc.value.code == "rights.aid_case_closed" and not LegalAidMatter.all_objects.exists()


def test_hearings_and_closing_once_with_the_amount_in_fen(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree, county = people["tree"], people["scopes"]["county"]
    case = county_case(people)
    lw = add_lawyer(tree.lps)
    matter = legal.aid_open(actor=None, scope=county, case=case, form="打官司", lawyer_id=lw.pk, opened_on=D)
    assert matter.form == "litigation"
    errors = _refusal(
        lambda: legal.aid_hearing(actor=None, scope=county, matter=matter, held_on=date(2026, 3, 1), body="")
    )
    assert set(errors) == {"held_on", "body"}
    legal.aid_hearing(
        actor=None,
        scope=county,
        matter=matter,
        held_on="2026-03-20",
        body="钟山区劳动人事争议仲裁委员会",
        result="调解未成",
    )
    assert Hearing.objects.get().body == "钟山区劳动人事争议仲裁委员会"
    # 0 is allowed only with the reason; no amount is refused; the closing day not before the opening.
    assert "outcome" in _refusal(
        lambda: legal.aid_close(actor=None, scope=county, matter=matter, closed_on=D, recovered_fen=0)
    )
    assert "recovered" in _refusal(
        lambda: legal.aid_close(actor=None, scope=county, matter=matter, closed_on=D, recovered_fen=None)
    )
    assert "closed_on" in _refusal(
        lambda: legal.aid_close(actor=None, scope=county, matter=matter, closed_on=date(2026, 3, 1), recovered_fen=100)
    )
    with pytest.raises(PermissionDeniedError):
        legal.aid_close(actor=None, scope=people["scopes"]["sibling"], matter=matter, closed_on=D, recovered_fen=100)
    assert LegalAidMatter.all_objects.get().status == AidStatus.OPEN
    closed = legal.aid_close(
        actor=None,
        scope=county,
        matter=matter,
        closed_on=date(2026, 5, 8),
        recovered_fen=1_234_550,
        outcome="判决支付欠薪",
    )
    assert (closed.status, closed.recovered_fen, closed.closed_on) == (AidStatus.CLOSED, 1_234_550, date(2026, 5, 8))
    for again in (
        lambda: legal.aid_close(actor=None, scope=county, matter=matter, closed_on=D, recovered_fen=1),
        lambda: legal.aid_hearing(actor=None, scope=county, matter=matter, held_on=D, body="法院"),
    ):
        with pytest.raises(DomainError) as exc:
            again()
        assert (exc.value.code, exc.value.status) == ("rights.aid_closed", 409)
    assert LegalAidMatter.all_objects.get().recovered_fen == 1_234_550 and Hearing.objects.count() == 1


def test_a_visit_with_its_issues_and_their_follow_up(people) -> None:  # type: ignore[no-untyped-def]
    tree, city = people["tree"], people["scopes"]["city"]
    lw = add_lawyer(tree.province)

    def record(**kw: object) -> LawyerVisit:
        fields: dict[str, object] = {
            "lawyer_id": lw.pk,
            "enterprise_name": "六盘水某煤业有限公司",
            "enterprise_uscc": USCC,
            "visited_on": D,
            "issues": legal.split_issues("1. 劳动合同未约定工作时间\n（2）未足额缴纳工伤保险\n\n"),
        }
        return legal.visit_record(actor=None, scope=city, org=tree.lps, **{**fields, **kw})  # type: ignore[arg-type]

    errors = _refusal(lambda: record(lawyer_id="", enterprise_name="", enterprise_uscc=USCC[:-1] + "0", visited_on=""))
    assert set(errors) == {"lawyer", "enterprise_name", "enterprise_uscc", "visited_on"}
    assert not LawyerVisit.all_objects.exists()
    visit = record()
    issues = list(VisitIssue.objects.filter(visit=visit).order_by("pk"))
    assert [i.text for i in issues] == ["劳动合同未约定工作时间", "未足额缴纳工伤保险"]
    assert {i.status for i in issues} == {"fixing"}
    first = issues[0]
    assert "note" in _refusal(lambda: legal.visit_issue_follow_up(actor=None, scope=city, issue=first, status="整改中"))
    legal.visit_issue_follow_up(actor=None, scope=city, issue=first, status="正在整改", note="已修订合同模板")
    with pytest.raises(PermissionDeniedError):
        legal.visit_issue_follow_up(actor=None, scope=people["scopes"]["sibling"], issue=first, status="已整改")
    legal.visit_issue_follow_up(actor=None, scope=city, issue=first, status="整改完成", note="新合同已签")
    with pytest.raises(DomainError) as exc:
        legal.visit_issue_follow_up(actor=None, scope=city, issue=first, status="整改中", note="又有问题")
    assert exc.value.code == "rights.issue_fixed"
    assert VisitIssue.objects.get(pk=first.pk).status == "fixed"
    assert AuditEvent.all_objects.filter(action="rights.visit.follow_up").count() == 2


def test_statistics_are_recounted_from_the_rows(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree, county = people["tree"], people["scopes"]["county"]
    lw = add_lawyer(tree.province)
    first = legal.aid_open(
        actor=None, scope=county, case=county_case(people), form="仲裁", lawyer_id=lw.pk, opened_on=D
    )
    legal.aid_close(actor=None, scope=county, matter=first, closed_on=D, recovered_fen=1_000_050)
    second = legal.aid_open(
        actor=None, scope=county, case=county_case(people), form="调解", lawyer_id=lw.pk, opened_on=D
    )
    legal.aid_close(actor=None, scope=county, matter=second, closed_on=D, recovered_fen=0, outcome="调解后职工撤回申请")
    legal.aid_open(actor=None, scope=county, case=county_case(people), form="代写", lawyer_id=lw.pk, opened_on=D)
    # One matter at the city itself (a case it holds).
    city_case = act(
        people,
        "operator",
        services.case_hand_down,
        take_call(people["users"]["operator"], tree.province),
        to_org=tree.lps,
    )
    legal.aid_open(
        actor=None, scope=people["scopes"]["city"], case=city_case, form="诉讼", lawyer_id=lw.pk, opened_on=D
    )
    legal.visit_record(
        actor=None,
        scope=None,
        org=tree.zhongshan,
        lawyer_id=lw.pk,
        enterprise_name="甲",
        enterprise_uscc=USCC,
        visited_on=D,
        issues=[],
    )
    expected = {
        tree.province.path: (4, 10000.5, 1),
        tree.lps.path: (4, 10000.5, 1),
        tree.zhongshan.path: (3, 10000.5, 1),
        tree.nanming.path: (0, 0.0, 0),
    }
    for path, (cases, yuan, visits) in expected.items():
        got = stats_collect([path])
        assert (got["legal_aid_cases"], got["legal_aid_recovered_yuan"], got["lawyer_visits"]) == (cases, yuan, visits)
    whole = stats_collect(None)
    assert (whole["legal_aid_cases"], whole["lawyer_visits"]) == (4, 1)
