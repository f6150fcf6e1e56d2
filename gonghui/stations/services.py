"""Writes on stations and their duty rosters. Each one checks scope, locks what it changes,
and records its audit event in its own transaction.

Staff act with a `scope` (None: the console, a job, the demo); volunteers act as a
`person`, which the calling page (the member's phone, in the portal) vouches is the
signed-in member: this layer sits below the portal and never reads its accounts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.scoping import require_perm_at as _require
from gonghui.core.validators import InvalidIdentifier, clean_region_code
from gonghui.core.words import ChoiceError, match
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org
from gonghui.stations import errors as _errors  # noqa: F401  (registers messages)
from gonghui.stations import selectors
from gonghui.stations.coords import gcj02_to_wgs84, wgs84_to_gcj02
from gonghui.stations.models import (
    LIVE_VOLUNTEER_STATUSES,
    OPEN_SWAP_STATUSES,
    SIX_HAVES,
    BuildMode,
    DutyAssignment,
    DutyCheckIn,
    DutyGroup,
    DutyIncident,
    DutyLog,
    DutyShift,
    DutySupply,
    GroupMember,
    Holiday,
    MapService,
    PartnerKind,
    Station,
    StationClosedDay,
    StationInspection,
    StationPhoto,
    StationVisit,
    SwapRequest,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.permissions import StationPerm
from gonghui.stations.rotation import RotationKind, RotationRule, RuleError, exchange, hand_over, plan_shifts

CODE = re.compile(r"[0-9A-Z-]{2,32}")
SEPARATORS = re.compile(r"[\s,，、;；/]+")
HOUR_KINDS = {"weekday": "工作日", "weekend": "周末", "holiday": "节假日"}
EDITABLE = {
    "name",
    "address",
    "region_code",
    "lat",
    "lng",
    "build_mode",
    "partner_kind",
    "partner_name",
    "area_m2",
    "facilities",
    "manager_name",
    "manager_phone",
    "map_published",
    *(f"{kind}_{end}" for kind in HOUR_KINDS for end in ("opens", "closes")),
}
MAX_PEOPLE_PER_SHIFT = 20
MAX_VISITORS_PER_SHIFT = 5_000
MAX_SUPPLY_QUANTITY = 10_000
# The rotation's refusals (pure code, no catalogue) as the service raises them.
RULE_REFUSALS: dict[str, Callable[[], DomainError]] = {
    "station.rotation_needs_groups": lambda: DomainError("station.rotation_needs_groups"),
    "station.rotation_start_monday": lambda: DomainError("station.rotation_start_monday"),
    "station.rotation_group_twice": lambda: DomainError("station.rotation_group_twice"),
    "station.rotation_people": lambda: DomainError("station.rotation_people"),
    "station.rotation_range": lambda: DomainError("station.rotation_range"),
    "station.rotation_too_long": lambda: DomainError("station.rotation_too_long"),
    "station.swap_invalid": lambda: DomainError("station.swap_invalid", status=409),
    "station.swap_stale": lambda: DomainError("station.swap_stale", status=409),
    "station.swap_already_on_shift": lambda: DomainError("station.swap_already_on_shift", status=409),
}
VOLUNTEER_LABELS = dict(VolunteerStatus.choices)
SWAP_LABELS = dict(SwapStatus.choices)


# --- stations --------------------------------------------------------------------------------------


def to_gcj02(lat: float, lng: float, datum: str) -> tuple[float, float]:
    """A position as given (`datum` wgs84 from a phone, gcj02 from 高德) in the stored datum."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("station.coords_invalid", field=("lat", "lng"))
    if datum == "gcj02":
        return lat, lng
    if datum == "wgs84":
        return wgs84_to_gcj02(lat, lng)
    raise DomainError("station.datum_unknown", datum=datum)


def _facilities(words: Iterable[str]) -> str:
    codes: list[str] = []
    for word in words:
        try:
            code = match("station_facility", word)
        except ChoiceError as exc:
            raise DomainError("station.facility_invalid", field="facilities", reason=str(exc)) from exc
        if code and code not in codes:
            codes.append(code)
    return f",{','.join(codes)}," if codes else ""


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """The fields as stored: trimmed, checked against each other; refuses with the first reason."""
    out = dict(values)
    for key in ("name", "address", "partner_name", "manager_name", "manager_phone"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "region_code" in out:
        try:
            out["region_code"] = clean_region_code(out["region_code"])
        except InvalidIdentifier as exc:
            raise DomainError("station.region_invalid", field="region_code", code=out["region_code"]) from exc
    if "facilities" in out:
        words = out["facilities"] or []
        # Typed as one text ("饮水、空调，药箱"), or as a list of words.
        out["facilities"] = _facilities(SEPARATORS.split(words) if isinstance(words, str) else words)
    if "map_published" in out:
        maps = out["map_published"] or []
        maps = SEPARATORS.split(maps) if isinstance(maps, str) else maps
        codes = []
        for value in (m.strip() for m in maps):
            if value and value not in MapService.values:
                raise DomainError("station.map_invalid", field="map_published", value=value)
            if value and value not in codes:
                codes.append(value)
        # In the table's order, so that the same set is always stored the same way.
        ordered = [code for code in MapService.values if code in codes]
        out["map_published"] = f",{','.join(ordered)}," if ordered else ""
    if out.get("area_m2") is not None:
        try:
            area = Decimal(str(out["area_m2"]))
        except InvalidOperation as exc:
            raise DomainError("station.area_invalid", field="area_m2") from exc
        if area <= 0:
            raise DomainError("station.area_invalid", field="area_m2")
        out["area_m2"] = area.quantize(Decimal("0.1"))
    if "build_mode" in out and out["build_mode"] not in BuildMode.values:
        raise DomainError("station.build_mode_invalid", field="build_mode", value=out["build_mode"])
    if out.get("partner_kind") and out["partner_kind"] not in PartnerKind.values:
        raise DomainError("station.partner_kind_invalid", field="partner_kind", value=out["partner_kind"])
    return out


def _check_whole(station: Station) -> None:
    if not station.name or not station.address:
        raise DomainError("station.name_required", field=[f for f in ("name", "address") if not getattr(station, f)])
    if station.build_mode == BuildMode.COBUILT and not (station.partner_kind and station.partner_name):
        raise DomainError("station.partner_required", field=("partner_kind", "partner_name"))
    if station.build_mode == BuildMode.UNION:
        station.partner_kind, station.partner_name = "", ""
    for kind, label in HOUR_KINDS.items():
        opens, closes = getattr(station, f"{kind}_opens"), getattr(station, f"{kind}_closes")
        if (opens is None) != (closes is None):
            raise DomainError("station.hours_incomplete", field=(f"{kind}_opens", f"{kind}_closes"), kind=label)
        if opens is not None and not (isinstance(opens, time) and isinstance(closes, time)):
            raise DomainError("station.hours_incomplete", field=(f"{kind}_opens", f"{kind}_closes"), kind=label)


def _data(station: Station) -> dict[str, Any]:
    return {"code": station.code, "name": station.name, "lat": station.lat, "lng": station.lng}


def station_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    code: str,
    name: str,
    address: str,
    lat: float,
    lng: float,
    datum: str = "gcj02",
    **fields: Any,
) -> Station:
    """Register a station run by `org` (coordinates given in `datum`, stored in GCJ-02)."""
    _require(scope, StationPerm.MANAGE, org.path)
    code = (code or "").strip().upper()
    if not CODE.fullmatch(code):
        raise DomainError("station.code_invalid", field="code", code=code)
    if org.is_closed:
        raise DomainError("station.org_closed", org=org.name)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise DomainError("station.field_not_editable", name="、".join(sorted(unknown)))
    lat, lng = to_gcj02(lat, lng, datum)
    values = _clean({"name": name, "address": address, **fields})
    station = Station(code=code, org=org, org_path=org.path, lat=lat, lng=lng, **values)
    _check_whole(station)
    with transaction.atomic(), unscoped():
        if Station.all_objects.filter(code=code).exists():
            raise DomainError("station.code_taken", field="code", status=409, code=code)
        try:
            with transaction.atomic():
                station.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent registration took the code
            raise DomainError("station.code_taken", field="code", status=409, code=code) from exc
        audit_record(actor=actor, action="stations.create", org=org, target=station, data=_data(station))
    return station


def _locked(station: Station) -> Station:
    return Station.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=station.pk)


def station_update(
    *, actor: User | None, scope: Scope | None, station: Station, datum: str = "gcj02", **changes: Any
) -> Station:
    """Change a station's description, place, facilities or hours (not its code or union)."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError("station.field_not_editable", name="、".join(sorted(unknown)))
    if "lat" in changes or "lng" in changes:
        # The coordinate not given keeps its place, read in the datum of the one given.
        kept = gcj02_to_wgs84(station.lat, station.lng) if datum == "wgs84" else (station.lat, station.lng)
        lat, lng = changes.get("lat", kept[0]), changes.get("lng", kept[1])
        changes["lat"], changes["lng"] = to_gcj02(float(lat), float(lng), datum)
    values = _clean(changes)
    with transaction.atomic(), unscoped():
        station = _locked(station)
        before = {key: getattr(station, key) for key in values}
        for key, value in values.items():
            setattr(station, key, value)
        _check_whole(station)
        changed = changed_fields(before, {key: getattr(station, key) for key in values})
        if changed:
            station.save(update_fields=[*changed, "partner_kind", "partner_name", "updated_at"])
            audit_record(
                actor=actor,
                action="stations.update",
                org=station.org,
                target=station,
                data={"station": station.code, "changes": {k: [str(a), str(b)] for k, (a, b) in changed.items()}},
            )
    return station


def station_close(*, actor: User | None, scope: Scope | None, station: Station, reason: str = "") -> Station:
    """Close a station: it leaves the nearest-station answers; its rows stay."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    with transaction.atomic(), unscoped():
        station = _locked(station)
        if station.is_closed:
            raise DomainError("station.already_closed", status=409, station=station.name)
        station.is_closed, station.closed_reason = True, reason.strip()[:200]
        station.save(update_fields=["is_closed", "closed_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="stations.close",
            org=station.org,
            target=station,
            data={"station": station.code, "reason": station.closed_reason},
        )
    return station


def station_reopen(*, actor: User | None, scope: Scope | None, station: Station, reason: str = "") -> Station:
    """Open a closed station again (the reason goes into the audit log)."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    with transaction.atomic(), unscoped():
        station = _locked(station)
        if not station.is_closed:
            raise DomainError("station.not_closed", status=409, station=station.name)
        station.is_closed, station.closed_reason = False, ""
        station.save(update_fields=["is_closed", "closed_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="stations.reopen",
            org=station.org,
            target=station,
            data={"station": station.code, "reason": reason.strip()[:200]},
        )
    return station


def station_closed_day_add(
    *, actor: User | None, scope: Scope | None, station: Station, day: date, reason: str = ""
) -> StationClosedDay:
    """Mark a day the station does not open; shifts already planned that day are kept (the manager moves them)."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    with transaction.atomic(), unscoped():
        station = _locked(station)
        closed, created = StationClosedDay.all_objects.get_or_create(
            station=station, day=day, defaults={"org_path": station.org_path, "reason": reason.strip()[:200]}
        )
        if created:
            audit_record(
                actor=actor,
                action="stations.closed_day_add",
                org=station.org,
                target=station,
                data={"station": station.code, "day": day.isoformat(), "reason": closed.reason},
            )
    return closed


# --- public holidays -------------------------------------------------------------------------------


def holidays_load(*, actor: User | None, days: Mapping[date, str]) -> dict[str, Any]:
    """Make each year that `days` names hold exactly those days off (that year's State Council list).

    Holidays are the whole platform's data, not a union's: the console and the demo load
    them. Years the list does not name are left as they are. Returns the counts.
    """
    years = sorted({day.year for day in days})
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    if not years:
        return {**counts, "years": years}
    with transaction.atomic():
        in_years = Holiday.objects.select_for_update().filter(day__year__in=years)
        have = {h.day: h for h in in_years}
        gone = [h.pk for day, h in have.items() if day not in days]
        Holiday.objects.filter(pk__in=gone).delete()
        counts["removed"] = len(gone)
        new, changed = [], []
        for day, name in sorted(days.items()):
            row = have.get(day)
            if row is None:
                new.append(Holiday(day=day, name=name))
            elif row.name != name:
                row.name = name
                changed.append(row)
            else:
                counts["unchanged"] += 1
        Holiday.objects.bulk_create(new)
        Holiday.objects.bulk_update(changed, ["name"])
        counts["created"], counts["updated"] = len(new), len(changed)
        audit_record(actor=actor, action="stations.holidays_load", data={"years": years, **counts})
    return {**counts, "years": years}


# --- inspections and photos ---------------------------------------------------------------------

SIX_FIELDS = tuple(field for field, _label in SIX_HAVES)
MAX_PHOTOS = 20


def inspection_record(
    *,
    actor: User | None,
    scope: Scope | None,
    station: Station,
    year: int,
    checks: Mapping[str, bool],
    stars: int,
    is_best: bool = False,
    notes: str = "",
) -> StationInspection:
    """Record the year's inspection (the 六有 checklist, 1–5 stars, 最美驿站); a second one that year replaces it."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise DomainError("station.inspection_year", field="year")
    if not 1 <= stars <= 5:
        raise DomainError("station.inspection_stars", field="stars")
    values: dict[str, Any] = {field: bool(checks.get(field)) for field in SIX_FIELDS}
    values |= {"stars": stars, "is_best": bool(is_best), "notes": notes.strip()[:500]}
    values |= {"inspector": actor if actor is not None and actor.pk else None, "inspected_at": timezone.now()}
    with transaction.atomic(), unscoped():
        station = _locked(station)
        inspection, created = StationInspection.all_objects.update_or_create(
            station=station, year=year, defaults={"org_path": station.org_path, **values}
        )
        audit_record(
            actor=actor,
            action="stations.inspection_record",
            org=station.org,
            target=station,
            data={
                "station": station.code,
                "year": year,
                "stars": stars,
                "best": inspection.is_best,
                "six": inspection.six_count,
                "replaced": not created,
            },
        )
    return inspection


def photo_add(
    *, actor: User | None, scope: Scope | None, station: Station, stored_name: str, caption: str = ""
) -> StationPhoto:
    """Record a photo already stored and checked (`photos.photo_store` calls this)."""
    _require(scope, StationPerm.MANAGE, station.org_path)
    with transaction.atomic(), unscoped():
        station = _locked(station)
        if StationPhoto.all_objects.filter(station=station).count() >= MAX_PHOTOS:
            raise DomainError("station.photo_too_many", field="photo", status=409, limit=MAX_PHOTOS)
        photo = StationPhoto.all_objects.create(
            station=station,
            org_path=station.org_path,
            stored_name=stored_name,
            caption=caption.strip()[:100],
            uploaded_by=actor if actor is not None and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action="stations.photo_add",
            org=station.org,
            target=station,
            data={"station": station.code, "caption": photo.caption},
        )
    return photo


def photo_remove(*, actor: User | None, scope: Scope | None, photo: StationPhoto) -> str:
    """Delete a photo's record; returns its stored name for the caller to remove once committed."""
    _require(scope, StationPerm.MANAGE, photo.org_path)
    with transaction.atomic(), unscoped():
        photo = StationPhoto.all_objects.select_for_update(of=("self",)).select_related("station__org").get(pk=photo.pk)
        station, name = photo.station, photo.stored_name
        photo.delete()
        audit_record(
            actor=actor,
            action="stations.photo_remove",
            org=station.org,
            target=station,
            data={"station": station.code, "caption": photo.caption},
        )
    return name


# --- duty groups and volunteers --------------------------------------------------------------------


def group_create(*, actor: User | None, scope: Scope | None, station: Station, name: str) -> DutyGroup:
    """A new duty group at the station (its leader is set once volunteers have joined)."""
    _require(scope, StationPerm.ROSTER, station.org_path)
    name = (name or "").strip()
    if not name:
        raise DomainError("station.group_name_required", field="name")
    with transaction.atomic(), unscoped():
        station = _locked(station)
        if station.is_closed:
            raise DomainError("station.closed", status=409, station=station.name)
        if DutyGroup.all_objects.filter(station=station, name=name).exists():
            raise DomainError("station.group_name_taken", field="name", status=409, name=name)
        group = DutyGroup.all_objects.create(station=station, org_path=station.org_path, name=name[:60])
        audit_record(
            actor=actor,
            action="stations.group_create",
            org=station.org,
            target=group,
            data={"station": station.code, "group": group.name},
        )
    return group


def group_join(*, actor: User | None, person: Person, group: DutyGroup) -> GroupMember:
    """A member asks to join a station's duty group (one live group per station); the manager approves."""
    with transaction.atomic(), unscoped():
        group = DutyGroup.all_objects.select_related("station", "station__org").get(pk=group.pk)
        station = group.station
        if station.is_closed:
            raise DomainError("station.closed", status=409, station=station.name)
        membership = (
            Membership.all_objects.filter(person=person, status=MembershipStatus.ACTIVE).order_by("-pk").first()
        )
        if membership is None:
            raise DomainError("station.not_member", status=403)
        live = GroupMember.all_objects.filter(
            station=station, person=person, status__in=LIVE_VOLUNTEER_STATUSES
        ).select_related("group")
        current = live.first()
        if current is not None:
            raise DomainError(
                "station.already_in_group", status=409, group=current.group.name, state=VOLUNTEER_LABELS[current.status]
            )
        try:
            with transaction.atomic():
                volunteer = GroupMember.all_objects.create(
                    group=group, station=station, org_path=station.org_path, person=person, membership=membership
                )
        except IntegrityError as exc:
            raise DomainError("station.already_in_group", status=409, group=group.name, state="") from exc
        audit_record(
            actor=actor,
            action="stations.group_join",
            org=station.org,
            target=volunteer,
            data={"station": station.code, "group": group.name, "name": person.name},
        )
    return volunteer


def volunteer_decide(
    *, actor: User | None, scope: Scope | None, volunteer: GroupMember, approve: bool, make_leader: bool = False
) -> GroupMember:
    """The station's manager approves (optionally as the group's leader) or rejects a request to join."""
    _require(scope, StationPerm.ROSTER, volunteer.org_path)
    with transaction.atomic(), unscoped():
        volunteer = (
            GroupMember.all_objects.select_for_update(of=("self",))
            .select_related("group", "station", "station__org", "person")
            .get(pk=volunteer.pk)
        )
        if volunteer.status != VolunteerStatus.PENDING and not (
            approve and make_leader and volunteer.status == "approved"
        ):
            raise DomainError(
                "station.volunteer_wrong_status",
                status=409,
                state=VOLUNTEER_LABELS[volunteer.status],
                action="批准" if approve else "驳回",
            )
        volunteer.status = VolunteerStatus.APPROVED if approve else VolunteerStatus.REJECTED
        volunteer.decided_at = timezone.now()
        volunteer.save(update_fields=["status", "decided_at"])
        if approve and make_leader:
            group = volunteer.group
            group.leader = volunteer.person
            group.save(update_fields=["leader"])
        audit_record(
            actor=actor,
            action="stations.volunteer_approve" if approve else "stations.volunteer_reject",
            org=volunteer.station.org,
            target=volunteer,
            data={"group": volunteer.group.name, "name": volunteer.person.name, "leader": make_leader},
        )
    return volunteer


# --- the calendar ----------------------------------------------------------------------------------


def calendar_generate(
    *, actor: User | None, scope: Scope | None, station: Station, rule: RotationRule, first: date, last: date
) -> list[DutyShift]:
    """Plan the station's shifts from `first` to `last` by `rule`; days already planned are kept as they are."""
    _require(scope, StationPerm.ROSTER, station.org_path)
    if rule.people_per_shift > MAX_PEOPLE_PER_SHIFT:
        raise DomainError("station.rotation_people")
    with transaction.atomic(), unscoped():
        station = _locked(station)
        if station.is_closed:
            raise DomainError("station.closed", status=409, station=station.name)
        own = set(DutyGroup.all_objects.filter(station=station).values_list("pk", flat=True))
        if not set(rule.groups) <= own:
            raise DomainError("station.rotation_group_foreign")
        try:
            planned = plan_shifts(
                rule,
                hours=station.hours,
                first=first,
                last=last,
                holidays=selectors.holidays_between(first, last),
                closed_days=selectors.closed_days(station, first, last),
            )
        except RuleError as exc:
            raise RULE_REFUSALS[exc.code]() from exc
        tz = timezone.get_current_timezone()

        def aware(at: datetime) -> datetime:
            return timezone.make_aware(at, tz)

        taken = set(
            DutyShift.all_objects.filter(station=station, day__gte=first, day__lte=last).values_list(
                "starts_at", flat=True
            )
        )
        new = [
            DutyShift(
                station=station,
                org_path=station.org_path,
                group_id=p.group,
                day=p.day,
                starts_at=aware(p.starts_at),
                ends_at=aware(p.ends_at),
                capacity=p.capacity,
                held_by_group=rule.kind == RotationKind.WEEKLY,
            )
            for p in planned
            if aware(p.starts_at) not in taken
        ]
        DutyShift.all_objects.bulk_create(new)
        audit_record(
            actor=actor,
            action="stations.calendar_generate",
            org=station.org,
            target=station,
            data={
                "station": station.code,
                "rule": rule.kind.value,
                "first": first.isoformat(),
                "last": last.isoformat(),
                "shifts": len(new),
            },
        )
    return new


def _approved_volunteer(station_id: int, person: Person, group_id: int | None) -> GroupMember:
    qs = GroupMember.all_objects.filter(station_id=station_id, person=person, status=VolunteerStatus.APPROVED)
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    volunteer = qs.first()
    if volunteer is None:
        raise DomainError("station.not_volunteer", status=403)
    return volunteer


def shift_take(*, actor: User | None, person: Person, shift: DutyShift) -> DutyAssignment:
    """A volunteer takes a place on a shift (of their own group when the shift has one)."""
    with transaction.atomic(), unscoped():
        shift = DutyShift.all_objects.select_for_update(of=("self",)).select_related("station__org").get(pk=shift.pk)
        _approved_volunteer(shift.station_id, person, shift.group_id)
        holders = DutyAssignment.all_objects.filter(shift=shift)
        if holders.filter(person=person).exists():
            raise DomainError("station.swap_already_on_shift", status=409)
        if holders.count() >= shift.capacity:
            if shift.is_single:
                raise DomainError("station.shift_taken", status=409)
            raise DomainError("station.shift_full", status=409, capacity=shift.capacity)
        try:
            with transaction.atomic():
                assignment = DutyAssignment.all_objects.create(
                    shift=shift, org_path=shift.org_path, person=person, single=shift.is_single
                )
        except IntegrityError as exc:  # the database's rule: one holder of a single-person shift
            raise DomainError("station.shift_taken", status=409) from exc
        audit_record(
            actor=actor,
            action="stations.shift_take",
            org=shift.station.org,
            target=assignment,
            data={"station": shift.station.code, "day": shift.day.isoformat(), "name": person.name},
        )
    return assignment


# --- swaps -----------------------------------------------------------------------------------------


def _holders(shift_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    rows = DutyAssignment.all_objects.filter(shift_id__in=list(shift_ids)).values_list("shift_id", "person_id")
    out: dict[int, set[int]] = {pk: set() for pk in shift_ids}
    for shift_id, person_id in rows:
        out[shift_id].add(person_id)
    return {k: frozenset(v) for k, v in out.items()}


def _check_swap(swap: SwapRequest) -> Mapping[int, frozenset[int]]:
    """The holders after the swap, or the rotation's refusal as a domain error."""
    a = swap.assignment
    shift_ids = [a.shift_id] + ([swap.counter_assignment.shift_id] if swap.counter_assignment else [])
    holders = _holders(shift_ids)
    try:
        if swap.counter_assignment is None:
            return hand_over(holders, shift=a.shift_id, giver=swap.requester_id, taker=swap.counterpart_id)
        b = swap.counter_assignment
        return exchange(holders, give=(a.shift_id, swap.requester_id), take=(b.shift_id, swap.counterpart_id))
    except RuleError as exc:
        raise RULE_REFUSALS[exc.code]() from exc


def swap_request(
    *,
    actor: User | None,
    person: Person,
    assignment: DutyAssignment,
    counterpart: Person,
    counter_assignment: DutyAssignment | None = None,
    note: str = "",
) -> SwapRequest:
    """A volunteer asks another volunteer of the station to take their place (or to swap places)."""
    with transaction.atomic(), unscoped():
        assignment = DutyAssignment.all_objects.select_related("shift", "shift__station__org").get(pk=assignment.pk)
        if assignment.person_id != person.pk:
            raise DomainError("station.swap_not_yours", status=403)
        if assignment.shift.starts_at <= timezone.now():
            raise DomainError("station.swap_past", status=409)
        station = assignment.shift.station
        _approved_volunteer(station.pk, counterpart, None)
        if counter_assignment is not None:
            counter_assignment = DutyAssignment.all_objects.select_related("shift").get(pk=counter_assignment.pk)
            if counter_assignment.shift.station_id != station.pk or counter_assignment.person_id != counterpart.pk:
                raise DomainError("station.swap_stale", status=409)
            if counter_assignment.shift.starts_at <= timezone.now():
                raise DomainError("station.swap_past", status=409)
        swap = SwapRequest(
            assignment=assignment,
            org_path=assignment.org_path,
            requester=person,
            counterpart=counterpart,
            counter_assignment=counter_assignment,
            note=note.strip()[:200],
        )
        _check_swap(swap)
        if SwapRequest.all_objects.filter(assignment=assignment, status__in=OPEN_SWAP_STATUSES).exists():
            raise DomainError("station.swap_open", status=409)
        try:
            with transaction.atomic():
                swap.save(force_insert=True)
        except IntegrityError as exc:
            raise DomainError("station.swap_open", status=409) from exc
        audit_record(
            actor=actor,
            action="stations.swap_request",
            org=station.org,
            target=swap,
            data={"station": station.code, "day": assignment.shift.day.isoformat(), "to": counterpart.name},
        )
    return swap


def _locked_swap(swap: SwapRequest) -> SwapRequest:
    return (
        SwapRequest.all_objects.select_for_update(of=("self",))
        .select_related("assignment__shift__station__org", "assignment__shift__group", "counter_assignment")
        .get(pk=swap.pk)
    )


def _state_check(swap: SwapRequest, expected: str, action: str) -> None:
    if swap.status != expected:
        raise DomainError("station.swap_wrong_status", status=409, state=SWAP_LABELS[swap.status], action=action)


def _swap_audit_data(swap: SwapRequest) -> dict[str, Any]:
    shift = swap.assignment.shift
    return {"station": shift.station.code, "day": shift.day.isoformat(), "status": swap.status}


def swap_answer(*, actor: User | None, person: Person, swap: SwapRequest, accept: bool) -> SwapRequest:
    """The other volunteer accepts (it then goes to the group's leader) or declines."""
    with transaction.atomic(), unscoped():
        swap = _locked_swap(swap)
        if swap.counterpart_id != person.pk:
            raise DomainError("station.swap_not_counterpart", status=403)
        _state_check(swap, SwapStatus.REQUESTED, "同意" if accept else "拒绝")
        if accept:
            _check_swap(swap)
        swap.status = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
        fields = ["status"]
        if not accept:
            swap.decided_at = timezone.now()
            fields.append("decided_at")
        swap.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="stations.swap_accept" if accept else "stations.swap_decline",
            org=swap.assignment.shift.station.org,
            target=swap,
            data=_swap_audit_data(swap),
        )
    return swap


def swap_cancel(*, actor: User | None, person: Person, swap: SwapRequest) -> SwapRequest:
    """The requester withdraws a swap that is still open."""
    with transaction.atomic(), unscoped():
        swap = _locked_swap(swap)
        if swap.requester_id != person.pk:
            raise DomainError("station.swap_not_yours", status=403)
        if swap.status not in OPEN_SWAP_STATUSES:
            raise DomainError("station.swap_wrong_status", status=409, state=SWAP_LABELS[swap.status], action="撤回")
        swap.status, swap.decided_at = SwapStatus.CANCELLED, timezone.now()
        swap.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            action="stations.swap_cancel",
            org=swap.assignment.shift.station.org,
            target=swap,
            data=_swap_audit_data(swap),
        )
    return swap


def swap_decide(
    *, actor: User | None, scope: Scope | None, person: Person | None, swap: SwapRequest, approve: bool
) -> SwapRequest:
    """The group's leader (`person`) or the station's staff (`scope` with the roster right) approve or refuse.

    Approval moves the places in the same transaction; the single-person index refuses a race.
    """
    with transaction.atomic(), unscoped():
        swap = _locked_swap(swap)
        shift = swap.assignment.shift
        leader_id = shift.group.leader_id if shift.group is not None else None
        is_leader = person is not None and leader_id is not None and person.pk == leader_id
        is_staff = scope is None or scope.has_perm(StationPerm.ROSTER, swap.org_path)
        if not (is_leader or (person is None and is_staff)):
            raise DomainError("station.swap_not_leader", status=403)
        _state_check(swap, SwapStatus.ACCEPTED, "审批")
        if approve:
            _check_swap(swap)
            a, b = swap.assignment, swap.counter_assignment
            try:
                with transaction.atomic():
                    DutyAssignment.all_objects.filter(pk=a.pk).update(person_id=swap.counterpart_id)
                    if b is not None:
                        DutyAssignment.all_objects.filter(pk=b.pk).update(person_id=swap.requester_id)
            except IntegrityError as exc:
                raise DomainError("station.swap_stale", status=409) from exc
        swap.status = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
        swap.decided_at, swap.decided_by = timezone.now(), actor if actor is not None and actor.pk else None
        swap.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action="stations.swap_approve" if approve else "stations.swap_refuse",
            org=shift.station.org,
            target=swap,
            data=_swap_audit_data(swap),
        )
    return swap


# --- check-in and out ------------------------------------------------------------------------------


def checkin(*, actor: User | None, person: Person, station: Station, at: datetime | None = None) -> DutyCheckIn:
    """The volunteer on duty now checks in at the station (scanning its code).

    The duty is the shift of this station running now (or starting within the early window)
    that the person holds, or that their group holds as a whole. Checking in twice answers the
    first check-in: a second tap on a slow network changes nothing.
    """
    at = at or timezone.now()
    with transaction.atomic(), unscoped():
        shift = selectors.duty_now(station=station, person_id=person.pk, at=at)
        if shift is None:
            raise DomainError("station.no_duty_now", status=409, station=station.name)
        existing = DutyCheckIn.all_objects.filter(shift=shift, person=person).first()
        if existing is not None:
            return existing
        grace = timedelta(minutes=settings.GONGHUI_STATION_LATE_MINUTES)
        try:
            with transaction.atomic():
                row = DutyCheckIn.all_objects.create(
                    shift=shift,
                    org_path=shift.org_path,
                    person=person,
                    checked_in_at=at,
                    late=at > shift.starts_at + grace,
                )
        except IntegrityError:  # the same person's concurrent tap won
            return DutyCheckIn.all_objects.get(shift=shift, person=person)
        audit_record(
            actor=actor,
            action="stations.checkin",
            org=station.org,
            target=row,
            data={"station": station.code, "day": shift.day.isoformat(), "name": person.name, "late": row.late},
        )
    return row


def checkout(*, actor: User | None, person: Person, station: Station, at: datetime | None = None) -> DutyCheckIn:
    """The volunteer checks out of the duty they checked in to (until a few hours after it ends)."""
    at = at or timezone.now()
    late = timedelta(hours=settings.GONGHUI_STATION_CHECKOUT_HOURS)
    with transaction.atomic(), unscoped():
        row = (
            DutyCheckIn.all_objects.select_for_update(of=("self",))
            .select_related("shift")
            .filter(
                shift__station=station,
                person=person,
                checked_out_at__isnull=True,
                checked_in_at__lte=at,
                shift__ends_at__gte=at - late,
            )
            .order_by("-checked_in_at")
            .first()
        )
        if row is None:
            raise DomainError("station.not_checked_in", status=409, station=station.name)
        row.checked_out_at = at
        row.save(update_fields=["checked_out_at"])
        audit_record(
            actor=actor,
            action="stations.checkout",
            org=station.org,
            target=row,
            data={"station": station.code, "day": row.shift.day.isoformat(), "name": person.name},
        )
    return row


# --- the duty log ----------------------------------------------------------------------------------


def _may_write_log(shift: DutyShift, person: Person | None, scope: Scope | None, at: datetime) -> None:
    """Staff with the roster right always; a volunteer who checked in, until `GONGHUI_STATION_LOG_DAYS` after."""
    if person is None:
        _require(scope, StationPerm.ROSTER, shift.org_path)
        return
    if not DutyCheckIn.all_objects.filter(shift=shift, person=person).exists():
        raise DomainError("station.log_not_on_duty", status=403)
    if at > shift.ends_at + timedelta(days=settings.GONGHUI_STATION_LOG_DAYS):
        raise DomainError("station.log_too_late", status=409, days=settings.GONGHUI_STATION_LOG_DAYS)


def _locked_log(shift: DutyShift) -> DutyLog:
    log, _created = DutyLog.all_objects.get_or_create(shift=shift, defaults={"org_path": shift.org_path})
    return DutyLog.all_objects.select_for_update(of=("self",)).get(pk=log.pk)


def _as_aware(day: date, value: time | datetime | None, after: datetime | None = None) -> datetime | None:
    """A time of the log on the shift's day; one earlier than `after` (closing past midnight) is the next day's."""
    if value is None or isinstance(value, datetime):
        return value
    at = timezone.make_aware(datetime.combine(day, value), timezone.get_current_timezone())
    if after is not None and at < after:
        at += timedelta(days=1)
    return at


def log_write(
    *,
    actor: User | None,
    shift: DutyShift,
    person: Person | None = None,
    scope: Scope | None = None,
    opened_at: time | datetime | None = None,
    closed_at: time | datetime | None = None,
    visitors: int | None = None,
    handover: str | None = None,
) -> DutyLog:
    """Write the shift's log (the fields given; the others stay). Times of day are on the shift's day."""
    now = timezone.now()
    with transaction.atomic(), unscoped():
        shift = DutyShift.all_objects.select_related("station__org").get(pk=shift.pk)
        _may_write_log(shift, person, scope, now)
        log = _locked_log(shift)
        before = {"opened_at": log.opened_at, "closed_at": log.closed_at, "visitors": log.visitors}
        if opened_at is not None:
            log.opened_at = _as_aware(shift.day, opened_at)
        if closed_at is not None:
            log.closed_at = _as_aware(shift.day, closed_at, after=log.opened_at or shift.starts_at)
        if log.opened_at and log.closed_at and log.closed_at < log.opened_at:
            raise DomainError("station.log_closes_before_opening", field="closed_at")
        if visitors is not None:
            if not 0 <= visitors <= MAX_VISITORS_PER_SHIFT:
                raise DomainError("station.log_visitors", field="visitors", most=MAX_VISITORS_PER_SHIFT)
            log.visitors = visitors
        if handover is not None:
            log.handover = handover.strip()[:2000]
        log.written_by = person if person is not None else log.written_by
        log.save()
        changed = changed_fields(
            before, {"opened_at": log.opened_at, "closed_at": log.closed_at, "visitors": log.visitors}
        )
        audit_record(
            actor=actor,
            action="stations.log_write",
            org=shift.station.org,
            target=log,
            data={
                "station": shift.station.code,
                "day": shift.day.isoformat(),
                "changes": {k: [str(a), str(b)] for k, (a, b) in changed.items()},
                "handover": bool(log.handover),
            },
        )
    return log


def _count(raw: Any, field: str) -> int:
    try:
        value = int(str(raw).strip() or 0) if raw is not None else 0
    except ValueError as exc:
        raise DomainError("station.supply_quantity", field=field) from exc
    if not 0 <= value <= MAX_SUPPLY_QUANTITY:
        raise DomainError("station.supply_quantity", field=field)
    return value


def supply_record(
    *,
    actor: User | None,
    shift: DutyShift,
    item: str,
    used: Any = 0,
    restocked: Any = 0,
    note: str = "",
    person: Person | None = None,
    scope: Scope | None = None,
) -> DutySupply | None:
    """Set what the shift used and restocked of one item (everyday words: 矿泉水 is water); both 0 removes it."""
    try:
        code = match("station_supply", item, title="物资")
    except ChoiceError as exc:
        raise DomainError("station.supply_invalid", field="item", reason=str(exc)) from exc
    if not code:
        raise DomainError("station.supply_required", field="item")
    used_n, restocked_n = _count(used, "used"), _count(restocked, "restocked")
    with transaction.atomic(), unscoped():
        shift = DutyShift.all_objects.select_related("station__org").get(pk=shift.pk)
        _may_write_log(shift, person, scope, timezone.now())
        log = _locked_log(shift)
        row = DutySupply.all_objects.filter(log=log, item=code).first()
        if not used_n and not restocked_n:
            if row is not None:
                row.delete()
            result = None
        elif row is None:
            result = DutySupply.all_objects.create(
                log=log, org_path=log.org_path, item=code, used=used_n, restocked=restocked_n, note=note.strip()[:200]
            )
        else:
            row.used, row.restocked, row.note = used_n, restocked_n, note.strip()[:200]
            row.save(update_fields=["used", "restocked", "note"])
            result = row
        audit_record(
            actor=actor,
            action="stations.supply_record",
            org=shift.station.org,
            target=log,
            data={
                "station": shift.station.code,
                "day": shift.day.isoformat(),
                "item": code,
                "used": used_n,
                "restocked": restocked_n,
            },
        )
    return result


def incident_report(
    *,
    actor: User | None,
    shift: DutyShift,
    kind: str,
    description: str,
    action: str = "",
    person: Person | None = None,
    scope: Scope | None = None,
) -> DutyIncident:
    """Record something that happened on the shift (a rider fell ill, the air conditioner broke)."""
    errors: dict[str, str] = {}
    try:
        code = match("station_incident", kind, title="事件类型")
    except ChoiceError as exc:
        code, errors["kind"] = "", str(exc)
    if not code and "kind" not in errors:
        errors["kind"] = "请选择事件类型。"
    description = (description or "").strip()
    if not description:
        errors["description"] = "请写明经过。"
    if errors:
        raise DomainError("station.incident_invalid", details=errors, reason="；".join(errors.values()))
    with transaction.atomic(), unscoped():
        shift = DutyShift.all_objects.select_related("station__org").get(pk=shift.pk)
        _may_write_log(shift, person, scope, timezone.now())
        log = _locked_log(shift)
        incident = DutyIncident.all_objects.create(
            log=log,
            station_id=shift.station_id,
            org_path=log.org_path,
            kind=code,
            description=description[:2000],
            action=action.strip()[:500],
            reported_by=person,
        )
        audit_record(
            actor=actor,
            action="stations.incident_report",
            org=shift.station.org,
            target=incident,
            data={"station": shift.station.code, "day": shift.day.isoformat(), "kind": code},
        )
    return incident


def incident_resolve(
    *, actor: User | None, scope: Scope | None, incident: DutyIncident, follow_up: str
) -> DutyIncident:
    """Staff close an incident with what was done after (the first-aid kit refilled, the rider visited)."""
    _require(scope, StationPerm.ROSTER, incident.org_path)
    follow_up = (follow_up or "").strip()
    if not follow_up:
        raise DomainError("station.incident_follow_up", field="follow_up")
    with transaction.atomic(), unscoped():
        incident = (
            DutyIncident.all_objects.select_for_update(of=("self",)).select_related("station__org").get(pk=incident.pk)
        )
        if incident.resolved_at is not None:
            raise DomainError("station.incident_resolved", status=409)
        incident.follow_up, incident.resolved_at = follow_up[:500], timezone.now()
        incident.resolved_by = actor if actor is not None and actor.pk else None
        incident.save(update_fields=["follow_up", "resolved_at", "resolved_by"])
        audit_record(
            actor=actor,
            action="stations.incident_resolve",
            org=incident.station.org,
            target=incident,
            data={"station": incident.station.code, "kind": incident.kind},
        )
    return incident


# --- visits ----------------------------------------------------------------------------------------


def device_key(token: str) -> str:
    """The stored form of a phone's visit cookie: keyed, so the column cannot be matched to a cookie."""
    return salted_hmac("gonghui.stations.visit", token, algorithm="sha256").hexdigest()


def visit_record(*, station: Station, device_token: str, at: datetime | None = None) -> tuple[StationVisit, bool]:
    """Count a visit (人次) from a scan without logging in; (visit, counted).

    One phone counts once per `GONGHUI_STATION_VISIT_MINUTES` at a station: a second scan
    answers the first visit, so refreshing the page does not inflate the figures. Not audited:
    it is no one's act on anyone's data, and an audit row per visit would outgrow the visits.
    """
    at = at or timezone.now()
    if station.is_closed:
        raise DomainError("station.closed_for_visits", status=409, station=station.name)
    device = device_key(device_token)
    since = at - timedelta(minutes=settings.GONGHUI_STATION_VISIT_MINUTES)
    with transaction.atomic(), unscoped():
        # Serialises one phone's scans at this station (the station row is the lock).
        Station.all_objects.select_for_update(of=("self",)).filter(pk=station.pk).first()
        recent = (
            StationVisit.all_objects.filter(station=station, device=device, visited_at__gt=since)
            .order_by("-visited_at")
            .first()
        )
        if recent is not None:
            return recent, False
        visit = StationVisit.all_objects.create(
            station=station, org_path=station.org_path, visited_at=at, device=device
        )
    return visit, True
