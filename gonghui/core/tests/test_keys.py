"""Key ids in tokens, where keys are kept, and `gonghui keys rotate` over every sealed column.

The rotation world seals values the way the apps do (members registered through
their service, a service card, 黔优 referrals, an agency's list) under an old pair
of keys, some rows in the version 1 format written before tokens named their
key; after the rotation everything must read back the same, searches by ID
number and card number must still find their rows, an interrupted rotation must
finish on a second run, and a third run must change nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.keys import KeySource, load_or_create_keys
from gonghui.core.management.commands._keyrotation import STATE_FILE, Rotation, RotationError
from gonghui.core.models import AuditEvent

OLD_FIELD = "old-field-key-for-the-rotation-tests-0123456789abcdef"
OLD_INDEX = "old-index-key-for-the-rotation-tests-0123456789abcdef"
ENV_NAMES = (
    "GONGHUI_SECRET_KEY",
    "GONGHUI_FIELD_KEY",
    "GONGHUI_INDEX_KEY",
    "GONGHUI_NEXT_FIELD_KEY",
    "GONGHUI_NEXT_INDEX_KEY",
)
VALUE = "520102199003070019"


def legacy_token(plain: str, *, purpose: str, key: str) -> bytes:
    """A version 1 token, as crypto wrote them before tokens named their key."""
    nonce = os.urandom(12)
    aead = AESGCM(hashlib.sha256(b"gonghui-field-key\x00" + key.encode()).digest())
    return b"\x01" + nonce + aead.encrypt(nonce, plain.encode(), purpose.encode())


# --- tokens ---------------------------------------------------------------------------------------


def test_a_token_names_its_key_and_purpose_and_binds_both() -> None:
    token = crypto.encrypt(VALUE, purpose="person.id", key=OLD_FIELD)
    info = crypto.token_info(token)
    assert info == crypto.TokenInfo(2, crypto.field_key_id(OLD_FIELD), "person.id")
    assert VALUE.encode() not in token
    assert crypto.decrypt(token, purpose="person.id", keys=["another-key", OLD_FIELD]) == VALUE
    with pytest.raises(crypto.SealError, match="not at hand"):
        crypto.decrypt(token, purpose="person.id", keys=["another-key"])
    with pytest.raises(crypto.SealError, match="another purpose"):
        crypto.decrypt(token, purpose="card.number", keys=[OLD_FIELD])
    # The header is associated data: naming another key or purpose breaks the tag.
    forged = token[:1] + crypto._field_key_id_bytes("x") + token[5:]
    with pytest.raises(crypto.SealError):
        crypto.decrypt(forged, purpose="person.id", keys=[OLD_FIELD, "x"])
    tampered = bytearray(token)
    tampered[-1] ^= 1
    with pytest.raises(crypto.SealError, match="does not verify"):
        crypto.decrypt(bytes(tampered), purpose="person.id", keys=[OLD_FIELD])


def test_version_1_tokens_still_open_with_any_key_at_hand() -> None:
    token = legacy_token(VALUE, purpose="person.id", key=OLD_FIELD)
    assert crypto.token_info(token) == crypto.TokenInfo(1)
    assert crypto.open_token(token, purpose="person.id", keys=["x", OLD_FIELD]) == (VALUE, OLD_FIELD)
    with pytest.raises(crypto.SealError, match="none of the field keys"):
        crypto.decrypt(token, purpose="person.id", keys=["x"])
    with pytest.raises(crypto.SealError, match="none of the field keys"):
        crypto.decrypt(token, purpose="card.number", keys=[OLD_FIELD])
    with pytest.raises(crypto.SealError, match="unknown ciphertext version"):
        crypto.token_info(b"\x07" + token[1:])


def test_the_configured_keys_are_the_default() -> None:
    with override_settings(GONGHUI_FIELD_KEY=OLD_FIELD, GONGHUI_INDEX_KEY=OLD_INDEX):
        token = crypto.encrypt(VALUE, purpose="person.id")
        assert crypto.token_info(token).key_id == crypto.field_key_id(OLD_FIELD)
        assert crypto.decrypt(token, purpose="person.id") == VALUE
        assert crypto.blind_index(VALUE, purpose="p") == crypto.blind_index(VALUE, purpose="p", key=OLD_INDEX)
        assert crypto.blind_indexes([VALUE], purpose="p") == [crypto.blind_index(VALUE, purpose="p")]
    assert crypto.index_key_id(OLD_INDEX) != crypto.index_key_id("x")
    assert len(crypto.field_key_id(OLD_FIELD)) == 8


def test_sealed_columns_are_found_by_name_in_every_app() -> None:
    found = {(c.label, c.cipher, c.index, c.type_field) for c in crypto.sealed_columns()}
    assert {
        ("members.Person.id", "id_cipher", "id_index", "id_type"),
        ("cards.ServiceCard.card", "card_cipher", "card_index", None),
        ("cards.CreditCardReferral.id", "id_cipher", "id_index", None),
        ("aid.FamilyMember.id", "id_cipher", "id_index", None),
        ("student_aid.StudentAidApplication.student_id", "student_id_cipher", "student_id_index", None),
        ("crosscheck.AgencyRecord.id", None, "id_index", None),
        ("crosscheck.CrossCheckReview.id", None, "id_index", None),
    } <= found
    # A hash of an API token is 64 characters too, but not a blind index.
    assert not [c for c in crypto.sealed_columns() if c.model._meta.label == "accounts.ApiToken"]
    assert {"person.id", "card.number"} <= set(crypto.known_purposes())


# --- where keys are kept --------------------------------------------------------------------------


def test_keys_json_keeps_next_keys_and_promotes_them(tmp_path: Path) -> None:
    keys = load_or_create_keys(tmp_path, environ={})
    path = tmp_path / "keys.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    source = KeySource(tmp_path, {})
    assert not source.from_env and source.next_keys() is None
    assert source.current() == {"field_key": keys["field_key"], "index_key": keys["index_key"]}
    source.write_next({"field_key": "nf", "index_key": "ni"})
    assert source.next_keys() == {"field_key": "nf", "index_key": "ni"}
    assert load_or_create_keys(tmp_path, environ={}) == keys  # the application reads the current keys only
    source.promote(tmp_path / "retired.json")
    assert json.loads((tmp_path / "retired.json").read_text()) == {
        "field_key": keys["field_key"],
        "index_key": keys["index_key"],
    }
    assert oct((tmp_path / "retired.json").stat().st_mode & 0o777) == "0o600"
    assert load_or_create_keys(tmp_path, environ={}) == {**keys, "field_key": "nf", "index_key": "ni"}
    assert source.next_keys() is None


def test_keys_from_the_environment_are_never_written(tmp_path: Path) -> None:
    env = {"GONGHUI_FIELD_KEY": "f", "GONGHUI_INDEX_KEY": "i", "GONGHUI_NEXT_FIELD_KEY": "nf"}
    source = KeySource(tmp_path, env)
    assert source.from_env
    assert source.current() == {"field_key": "f", "index_key": "i"}
    assert source.next_keys() == {"field_key": "nf", "index_key": ""}
    with pytest.raises(RuntimeError):
        source.write_next({"field_key": "a", "index_key": "b"})
    with pytest.raises(RuntimeError):
        source.promote(tmp_path / "retired.json")
    assert not (tmp_path / "keys.json").exists()


# --- the rotation world ---------------------------------------------------------------------------


@dataclass
class World:
    numbers: dict[int, str]  # person pk -> ID number (or passport number)
    passport_pk: int
    card_number: str
    card_pk: int
    outsider_index: str  # an agency's record of someone who is nowhere in this database
    member_record_pk: int
    outsider_record_pk: int
    member_referral_pk: int
    outsider_referral_pk: int
    outsider_number: str


@pytest.fixture
def keydir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory whose keys.json holds the old keys, which are also the configured ones."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "keys.json").write_text(
        json.dumps({"secret_key": "s", "field_key": OLD_FIELD, "index_key": OLD_INDEX}), encoding="utf-8"
    )
    with override_settings(DATA_DIR=tmp_path, GONGHUI_FIELD_KEY=OLD_FIELD, GONGHUI_INDEX_KEY=OLD_INDEX):
        yield tmp_path


def keys_in(data_dir: Path) -> dict[str, str]:
    return json.loads((data_dir / "keys.json").read_text(encoding="utf-8"))


def build_world(tree: Any) -> World:
    """Sealed values in four apps under the configured (old) keys; every other person's token in version 1."""
    from gonghui.cards.models import BankPartner, CardStatus, CreditCardReferral, ServiceCard
    from gonghui.cards.numbers import CARD_PURPOSE, parse_card_number
    from gonghui.crosscheck.models import Agency, AgencyList, AgencyRecord
    from gonghui.members.models import Person
    from gonghui.members.tests.factories import id_number, register
    from gonghui.members.validation import ID_PURPOSE, identity_index

    union = tree.courier_union
    numbers: dict[int, str] = {}
    for seq, name in enumerate(("张一", "王二", "李三", "赵四", "钱五", "孙六", "周七")):
        ms = register(union, id_number(seq), name=name)
        numbers[ms.person_id] = id_number(seq)
    passport = register(union, "E12345678", name="护照持有人", id_type="2")
    numbers[passport.person_id] = "E12345678"
    for n, (pk, number) in enumerate(sorted(numbers.items())):
        if n % 2:  # sealed before tokens named their key
            Person.objects.filter(pk=pk).update(id_cipher=legacy_token(number, purpose=ID_PURPOSE, key=OLD_FIELD))

    first_pk = min(numbers)
    bank = BankPartner.objects.create(code="TEST", name="测试银行")
    card_number = "6217001234567890122"
    parsed = parse_card_number(card_number)
    card = ServiceCard.all_objects.create(
        person_id=first_pk,
        bank=bank,
        org=union,
        org_path=union.path,
        status=CardStatus.ACTIVATED,
        card_cipher=legacy_token(card_number, purpose=CARD_PURPOSE, key=OLD_FIELD),
        card_index=parsed.index,
        card_masked=parsed.masked,
        consented_at=timezone.now(),
    )

    outsider_number = id_number(900, area="621100")
    outsider_index = identity_index("1", outsider_number)
    roll = AgencyList.all_objects.create(org=union, org_path=union.path, agency=Agency.CIVIL_AFFAIRS, year=2026)
    member_record = AgencyRecord.all_objects.create(
        list=roll, org_path=union.path, id_index=identity_index("1", numbers[first_pk]), id_masked="x", year=2026
    )
    outsider_record = AgencyRecord.all_objects.create(
        list=roll, org_path=union.path, id_index=outsider_index, id_masked="y", year=2026
    )
    # A member's referral keeps only the index (the number sits on the person); an outsider's is sealed.
    member_referral = CreditCardReferral.all_objects.create(
        bank=bank,
        bank_reference="R1",
        org=union,
        org_path=union.path,
        person_id=first_pk,
        name="张一",
        id_index=identity_index("1", numbers[first_pk]),
        id_masked="x",
        applied_on=date(2026, 1, 5),
    )
    referral_number = id_number(901, area="520201")
    outsider_referral = CreditCardReferral.all_objects.create(
        bank=bank,
        bank_reference="R2",
        org=union,
        org_path=union.path,
        name="非会员",
        id_cipher=crypto.encrypt(referral_number, purpose=ID_PURPOSE),
        id_index=identity_index("1", referral_number),
        id_masked="z",
        applied_on=date(2026, 1, 6),
    )
    return World(
        numbers=numbers,
        passport_pk=passport.person_id,
        card_number=card_number,
        card_pk=card.pk,
        outsider_index=outsider_index,
        member_record_pk=member_record.pk,
        outsider_record_pk=outsider_record.pk,
        member_referral_pk=member_referral.pk,
        outsider_referral_pk=outsider_referral.pk,
        outsider_number=referral_number,
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every sealed column's raw content, to compare runs."""
    out = {}
    for col in crypto.sealed_columns():
        names = [n for n in (col.cipher, col.index) if n]
        rows = col.model._base_manager.order_by("pk").values_list("pk", *names)
        out[col.label] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return out


def assert_world_reads_back(world: World, *, make_user: Any, bearer: Any) -> None:
    """Under the (new) configured keys: values, searches, matches and index-only rows all line up."""
    from gonghui.cards.models import CreditCardReferral, ServiceCard
    from gonghui.cards.numbers import CARD_PURPOSE, card_index
    from gonghui.crosscheck.models import AgencyRecord
    from gonghui.crosscheck.services import matches_for
    from gonghui.members.models import Person
    from gonghui.members.validation import ID_PURPOSE, identity_index

    for pk, number in world.numbers.items():
        person = Person.objects.get(pk=pk)
        assert crypto.decrypt(person.id_cipher, purpose=ID_PURPOSE) == number
        assert crypto.token_info(person.id_cipher).key_id == crypto.field_key_id(crypto.settings.GONGHUI_FIELD_KEY)
    first = min(world.numbers)
    card = ServiceCard.all_objects.get(pk=world.card_pk)
    assert crypto.decrypt(card.card_cipher, purpose=CARD_PURPOSE) == world.card_number
    assert ServiceCard.all_objects.filter(card_index=card_index(world.card_number)).get().pk == world.card_pk

    admin = make_user(f"admin{os.urandom(3).hex()}", ("admin", "520000"))
    client = Client()
    for number in (world.numbers[first], "E12345678"):
        found = client.post(
            "/api/v1/members/search", {"q": number}, content_type="application/json", **bearer(admin)
        ).json()
        assert found["count"] == 1, number[:4]
    assert matches_for([identity_index("1", world.numbers[first])])  # the member's record on the agency's list
    member_record = AgencyRecord.all_objects.get(pk=world.member_record_pk)
    assert member_record.id_index == Person.objects.get(pk=first).id_index
    member_referral = CreditCardReferral.all_objects.get(pk=world.member_referral_pk)
    assert member_referral.id_index == Person.objects.get(pk=first).id_index
    outsider = CreditCardReferral.all_objects.get(pk=world.outsider_referral_pk)
    assert crypto.decrypt(outsider.id_cipher, purpose=ID_PURPOSE) == world.outsider_number
    assert outsider.id_index == identity_index("1", world.outsider_number)


def new_keys_override(data_dir: Path) -> override_settings:
    keys = keys_in(data_dir)
    return override_settings(GONGHUI_FIELD_KEY=keys["field_key"], GONGHUI_INDEX_KEY=keys["index_key"])


class Crash(Exception):
    pass


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["committed", "recorded"])
def test_an_interrupted_rotation_resumes_completes_and_a_rerun_changes_nothing(
    keydir: Path, tree: Any, make_user: Any, bearer: Any, stage: str, sql_logging: None
) -> None:
    """Killed right after its first sealed batch commits (before or after it is recorded), the rotation finishes."""
    world = build_world(tree)
    before = snapshot()
    lines: list[str] = []

    def crash_once(phase: str, table: str, at: str) -> None:
        if phase == "sealed" and table == "members.Person" and at == stage:
            raise Crash

    with pytest.raises(Crash):
        Rotation(source=KeySource(keydir, {}), batch_size=2, progress=lines.append, after_batch=crash_once).run()

    state = json.loads((keydir / STATE_FILE).read_text())
    assert state["status"] == "running" and state["phase"] == "sealed"
    nxt = keys_in(keydir)
    assert nxt["field_key"] == OLD_FIELD and nxt["next_field_key"] not in (OLD_FIELD, "")
    tokens = [crypto.token_info(t) for t in snapshot_tokens("members.Person.id")]
    new_id = crypto.field_key_id(nxt["next_field_key"])
    assert sum(1 for t in tokens if t.key_id == new_id) == 2  # one batch of two carried over, the rest not
    # The index-only rows were carried over in the first phase, before any value was resealed.
    from gonghui.crosscheck.models import AgencyRecord

    assert AgencyRecord.all_objects.get(pk=world.member_record_pk).id_index != before_index(before, world)

    report = Rotation(source=KeySource(keydir, {}), batch_size=2, progress=lines.append).run()
    assert report["status"] == "done" and report["resumed"] is True
    assert report["undecryptable"] == 0 and report["index_unverified"] == 0
    assert report["late"] == 0
    assert report["index_mapped"] == 2  # the member's agency record and referral
    assert report["index_unmapped"] == 1  # the outsider on the agency's list: nowhere sealed here
    assert report["tables"]["members.Person"]["rotated"] + report["tables"]["members.Person"]["already"] >= 8
    keys = keys_in(keydir)
    assert keys["field_key"] == nxt["next_field_key"] and keys["index_key"] == nxt["next_index_key"]
    assert "next_field_key" not in keys and keys["secret_key"] == "s"
    retired = json.loads(Path(report["retired_keys_file"]).read_text())
    assert retired == {"field_key": OLD_FIELD, "index_key": OLD_INDEX}
    assert json.loads((keydir / STATE_FILE).read_text())["status"] == "finished"
    assert AuditEvent.all_objects.filter(action="core.keys.rotate").count() == 1

    # Progress names tables and counts, never a value.
    assert lines and all(not any(n in line for n in world.numbers.values()) for line in lines)

    with new_keys_override(keydir):
        assert_world_reads_back(world, make_user=make_user, bearer=bearer)
        after = snapshot()
        again = Rotation(source=KeySource(keydir, {}), batch_size=2).run()
        assert again["status"] == "already_done"
        assert snapshot() == after
    assert AuditEvent.all_objects.filter(action="core.keys.rotate").count() == 1
    assert after["crosscheck.AgencyRecord.id"] != before["crosscheck.AgencyRecord.id"]
    outsider = [row for row in after["crosscheck.AgencyRecord.id"] if row[0] == world.outsider_record_pk]
    assert outsider == [(world.outsider_record_pk, world.outsider_index)]  # left as it was, and counted


def snapshot_tokens(label: str) -> list[bytes]:
    col = next(c for c in crypto.sealed_columns() if c.label == label)
    assert col.cipher
    return [bytes(t) for t in col.model._base_manager.order_by("pk").values_list(col.cipher, flat=True) if t]


def before_index(before: dict[str, list[tuple[Any, ...]]], world: World) -> str:
    return next(row[1] for row in before["crosscheck.AgencyRecord.id"] if row[0] == world.member_record_pk)


@pytest.mark.django_db
def test_rotation_through_the_command_with_keys_from_the_environment(
    keydir: Path, tree: Any, make_user: Any, bearer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys from the environment: nothing is written to disk; the operator is told what to set."""
    (keydir / "keys.json").unlink()
    world = build_world(tree)
    monkeypatch.setenv("GONGHUI_FIELD_KEY", OLD_FIELD)
    monkeypatch.setenv("GONGHUI_INDEX_KEY", OLD_INDEX)

    err = StringIO()
    with pytest.raises(CommandError, match="GONGHUI_NEXT_FIELD_KEY") as refused:
        call_command("keys", "rotate", stdout=StringIO(), stderr=err)
    assert refused.value.returncode == 2
    assert not (keydir / STATE_FILE).exists()

    generated = StringIO()
    call_command("keys", "generate", stdout=generated, stderr=StringIO())
    env = dict(line.split("=", 1) for line in generated.getvalue().splitlines())
    assert set(env) == {"GONGHUI_NEXT_FIELD_KEY", "GONGHUI_NEXT_INDEX_KEY"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    out, err = StringIO(), StringIO()
    call_command("keys", "rotate", "--batch-size", "3", stdout=out, stderr=err)
    report = json.loads(out.getvalue().splitlines()[-1])
    assert report["status"] == "done" and report["keys"] == "env"
    assert report["to"]["field"] == crypto.field_key_id(env["GONGHUI_NEXT_FIELD_KEY"])
    assert "GONGHUI_FIELD_KEY" in out.getvalue() and "GONGHUI_NEXT_FIELD_KEY" in out.getvalue()
    assert env["GONGHUI_NEXT_FIELD_KEY"] not in out.getvalue() + err.getvalue()  # a key is never printed
    assert "members.Person" in err.getvalue()
    assert not (keydir / "keys.json").exists()

    # Run again before the operator has swapped the variables: nothing changes.
    with override_settings(
        GONGHUI_FIELD_KEY=env["GONGHUI_NEXT_FIELD_KEY"], GONGHUI_INDEX_KEY=env["GONGHUI_NEXT_INDEX_KEY"]
    ):
        after = snapshot()
    out = StringIO()
    call_command("keys", "rotate", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue().splitlines()[-1])["status"] == "already_done"

    # The operator swaps them: the application finds everything under the new keys.
    monkeypatch.setenv("GONGHUI_FIELD_KEY", env["GONGHUI_NEXT_FIELD_KEY"])
    monkeypatch.setenv("GONGHUI_INDEX_KEY", env["GONGHUI_NEXT_INDEX_KEY"])
    monkeypatch.delenv("GONGHUI_NEXT_FIELD_KEY")
    monkeypatch.delenv("GONGHUI_NEXT_INDEX_KEY")
    with override_settings(
        GONGHUI_FIELD_KEY=env["GONGHUI_NEXT_FIELD_KEY"], GONGHUI_INDEX_KEY=env["GONGHUI_NEXT_INDEX_KEY"]
    ):
        assert snapshot() == after
        assert_world_reads_back(world, make_user=make_user, bearer=bearer)
        out = StringIO()
        call_command("keys", "rotate", stdout=out, stderr=StringIO())
        assert json.loads(out.getvalue().splitlines()[-1])["status"] == "already_done"
        assert snapshot() == after
        status = StringIO()
        call_command("keys", "status", "--json", stdout=status)
        body = json.loads(status.getvalue())
        assert body["keys"] == "env" and body["rotation"]["status"] == "finished"
        assert body["sealed"]["members.Person.id"] == {crypto.field_key_id(env["GONGHUI_NEXT_FIELD_KEY"]): 8}


@pytest.mark.django_db
def test_field_key_only_rotation_keeps_every_index(keydir: Path, tree: Any) -> None:
    build_world(tree)
    before = snapshot()
    report = Rotation(source=KeySource(keydir, {}), batch_size=4).run(keep_index_key=True)
    assert report["status"] == "done" and report["index_rebuilt"] == 0 and report["index_mapped"] == 0
    keys = keys_in(keydir)
    assert keys["index_key"] == OLD_INDEX and keys["field_key"] != OLD_FIELD
    after = snapshot()
    for label, rows in before.items():
        index_at = 2 if any(c.label == label and c.cipher and c.index for c in crypto.sealed_columns()) else 1
        if any(c.label == label and c.index for c in crypto.sealed_columns()):
            assert [r[index_at] for r in after[label]] == [r[index_at] for r in rows], label
    # Another rotation needs --new once one has finished.
    with new_keys_override(keydir):
        assert Rotation(source=KeySource(keydir, {})).run()["status"] == "already_done"
        assert Rotation(source=KeySource(keydir, {})).run(new=True)["status"] == "done"
    assert keys_in(keydir)["field_key"] != keys["field_key"]


@pytest.mark.django_db
def test_rows_written_under_the_old_key_during_the_rotation_are_caught_by_the_last_pass(
    keydir: Path, tree: Any
) -> None:
    from gonghui.members.models import Person
    from gonghui.members.validation import ID_PURPOSE

    world = build_world(tree)
    first = min(world.numbers)

    def service_still_running(phase: str, table: str, at: str) -> None:
        # The service, still running, corrects a person the rotation has already passed.
        if phase == "sealed" and table == "members.Person" and at == "recorded":
            Person.objects.filter(pk=first).update(
                id_cipher=crypto.encrypt(world.numbers[first], purpose=ID_PURPOSE, key=OLD_FIELD)
            )

    report = Rotation(source=KeySource(keydir, {}), batch_size=3, after_batch=service_still_running).run()
    assert report["status"] == "done" and report["late"] >= 1
    with new_keys_override(keydir):
        for pk, number in world.numbers.items():
            assert crypto.decrypt(Person.objects.get(pk=pk).id_cipher, purpose=ID_PURPOSE) == number


@pytest.mark.django_db
def test_wrong_keys_are_refused_before_anything_is_written(keydir: Path, tree: Any) -> None:
    build_world(tree)
    before = snapshot()
    with override_settings(GONGHUI_FIELD_KEY="not-the-key"):
        (keydir / "keys.json").write_text(
            json.dumps({"secret_key": "s", "field_key": "not-the-key", "index_key": OLD_INDEX}), encoding="utf-8"
        )
        with pytest.raises(RotationError, match="无法解密"):
            Rotation(source=KeySource(keydir, {})).run()
    with override_settings(GONGHUI_INDEX_KEY="not-the-index-key"):
        (keydir / "keys.json").write_text(
            json.dumps({"secret_key": "s", "field_key": OLD_FIELD, "index_key": "not-the-index-key"}),
            encoding="utf-8",
        )
        with pytest.raises(RotationError, match="盲索引"):
            Rotation(source=KeySource(keydir, {})).run()
    assert snapshot() == before
    assert not (keydir / STATE_FILE).exists()
    assert "next_field_key" not in keys_in(keydir)
    # Settings that disagree with keys.json are refused too.
    with pytest.raises(RotationError, match="不一致"):
        Rotation(source=KeySource(keydir, {})).run()


@pytest.mark.django_db
def test_a_rotation_in_progress_needs_its_own_keys(keydir: Path, tree: Any) -> None:
    build_world(tree)

    def crash(phase: str, table: str, at: str) -> None:
        raise Crash

    with pytest.raises(Crash):
        Rotation(source=KeySource(keydir, {}), batch_size=2, after_batch=crash).run()
    keys = keys_in(keydir)
    # The next keys lost from keys.json: refused, with what to do.
    (keydir / "keys.json").write_text(
        json.dumps({"secret_key": "s", "field_key": OLD_FIELD, "index_key": OLD_INDEX}), encoding="utf-8"
    )
    with pytest.raises(RotationError, match="没有新密钥"):
        Rotation(source=KeySource(keydir, {})).run()
    # Other next keys than the ones it started with: refused.
    (keydir / "keys.json").write_text(json.dumps({**keys, "next_field_key": "someone-elses-key"}), encoding="utf-8")
    with pytest.raises(RotationError, match="不是进行中那次轮换"):
        Rotation(source=KeySource(keydir, {})).run()
    (keydir / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    assert Rotation(source=KeySource(keydir, {})).run()["status"] == "done"


def test_status_and_generate_print_no_secret(keydir: Path, db: None) -> None:
    out = StringIO()
    call_command("keys", "status", stdout=out)
    assert crypto.field_key_id(OLD_FIELD) in out.getvalue()
    assert OLD_FIELD not in out.getvalue() and OLD_INDEX not in out.getvalue()
    body = StringIO()
    call_command("keys", "status", "--json", stdout=body)
    parsed = json.loads(body.getvalue())
    assert parsed["current"] == {"field": crypto.field_key_id(OLD_FIELD), "index": crypto.index_key_id(OLD_INDEX)}
    assert parsed["rotation"] is None and parsed["next"] is None
