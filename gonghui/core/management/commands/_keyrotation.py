"""Key rotation: every sealed value re-encrypted under a new field key, every blind index rebuilt under a new index key.

The job runs table by table in batches, each batch in its own transaction, and
records where it is in `DATA_DIR/key-rotation.json`; killed at any point, the
same command finishes it. Each row says whether it is done: a token names the
key that sealed it (crypto's version 2 header), and a row's ciphertext and
index are rewritten together, so a batch done twice changes nothing.

Phases, in order:

1. ``index`` — columns that hold only a blind index (another agency's list, a
   review of a match, a referral whose number sits on the member): their index
   cannot be recomputed from a value, so it is looked up among the sealed
   columns (still under the old keys in this phase) whose old index is the
   same, and replaced by the new index of the same input. An index no sealed
   value has (a person on an agency's list who is nowhere in this database)
   cannot be carried over; those rows are counted, and their lists must be
   imported again to match after the rotation.
2. ``sealed`` — each ciphertext opened with the old key, sealed again under
   the new one, and its index (when the old index verifies against the value)
   recomputed under the new index key; then every sealed bulk file (uploads,
   error workbooks, exports under the data directory) is sealed again whole.
3. ``verify`` — the ``sealed`` pass again from the start: rows written under
   the old key while the rotation ran (the service should be stopped) are
   carried over now, and counted.
4. ``switch`` — `keys.json` gets the new keys (the old ones go to
   `keys-retired-<time>.json`, for restoring older backups); when the keys come
   from the environment the operator is told what to set.

Nothing here logs or prints a value: only table names, counts and key ids.
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.keys import KeySource, env_name, generate_key

logger = logging.getLogger("gonghui.keys")

STATE_FILE = "key-rotation.json"
LOCK_FILE = ".key-rotation.lock"
PREFLIGHT_SAMPLE = 50
LOOKUP_CHUNK = 500
PROGRESS_SECONDS = 2.0
COUNT_KEYS = (
    "rotated",  # sealed again under the new key
    "already",  # found under the new key already (a batch done twice, or the verify pass)
    "undecryptable",  # opened by neither key: left as it was
    "index_rebuilt",  # index recomputed from the value under the new index key
    "index_unverified",  # the old index is not the value's: left as it was
    "index_mapped",  # index-only rows carried over through a sealed value
    "index_unmapped",  # index-only rows no sealed value explains: left as they were
    "late",  # rows the verify pass found still under the old key
)


# The bulk files under DATA_DIR (uploads, error workbooks, exports), counted as one "table".
FILES_LABEL = "bulk files"

Change = tuple[tuple[str, ...], tuple[Any, ...]]  # the fields to set, and their values with the pk last


class RotationError(Exception):
    """The rotation cannot start or go on; nothing further was written."""


@dataclass(frozen=True)
class Keyring:
    old_field: str
    old_index: str
    new_field: str
    new_index: str

    @property
    def keep_index(self) -> bool:
        return self.old_index == self.new_index

    def ids(self, which: str) -> dict[str, str]:
        field_key, index_key = (self.old_field, self.old_index) if which == "from" else (self.new_field, self.new_index)
        return {"field": crypto.field_key_id(field_key), "index": crypto.index_key_id(index_key)}


def key_ids(keys: dict[str, str]) -> dict[str, str]:
    return {"field": crypto.field_key_id(keys["field_key"]), "index": crypto.index_key_id(keys["index_key"])}


def database_label() -> str:
    return f"{connection.vendor}:{connection.settings_dict.get('NAME')}"


@dataclass
class Opener:
    """Opens tokens with the old or the new field key, finding a legacy token's purpose by trying each known one."""

    keys: Sequence[str]
    purposes: list[str] = field(default_factory=crypto.known_purposes)
    preferred: dict[str, str] = field(default_factory=dict)  # column label -> purpose that opened it

    def open(self, label: str, token: Any) -> tuple[str, str, str] | None:
        """(plaintext, secret, purpose), or None when no key and purpose opens it."""
        try:
            info = crypto.token_info(token)
        except crypto.SealError:
            return None
        if info.purpose is not None:
            candidates = [info.purpose]
        else:
            first = self.preferred.get(label)
            candidates = ([first] if first else []) + [p for p in self.purposes if p != first]
        for purpose in candidates:
            try:
                plain, secret = crypto.open_token(token, purpose=purpose, keys=self.keys)
            except crypto.SealError:
                continue
            self.preferred.setdefault(label, purpose)
            return plain, secret, purpose
        return None


def _by_model(columns: list[crypto.SealedColumns]) -> dict[type[models.Model], list[crypto.SealedColumns]]:
    grouped: dict[type[models.Model], list[crypto.SealedColumns]] = defaultdict(list)
    for col in columns:
        grouped[col.model].append(col)
    return grouped


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


def _present(value: Any) -> bool:
    return value is not None and len(value) > 0


class Rotation:
    """One rotation job; `run` starts, resumes or recognizes a finished one."""

    def __init__(
        self,
        *,
        source: KeySource,
        batch_size: int = 1000,
        progress: Callable[[str], None] | None = None,
        after_batch: Callable[[str, str, str], None] | None = None,
    ) -> None:
        self.source = source
        self.batch_size = batch_size
        self.progress = progress or (lambda line: None)
        # Test hook: called as (phase, table, "committed") right after a batch commits and
        # (phase, table, "recorded") once its progress is saved; raising there is a crash.
        self.after_batch = after_batch or (lambda phase, table, stage: None)
        self.state_path = source.data_dir / STATE_FILE
        self.state: dict[str, Any] = {}
        self.resumed = False
        self._told = 0.0
        self.columns = crypto.sealed_columns()

    # --- state -----------------------------------------------------------------------------------

    def load_state(self) -> dict[str, Any] | None:
        if not self.state_path.exists():
            return None
        return dict(json.loads(self.state_path.read_text(encoding="utf-8")))

    def save_state(self) -> None:
        from gonghui.core.keys import write_private_json

        write_private_json(self.state_path, self.state)

    def _counts(self, label: str) -> dict[str, int]:
        table: dict[str, int] = self.state.setdefault("counts", {}).setdefault(label, {})
        for key in COUNT_KEYS:
            table.setdefault(key, 0)
        return table

    @contextmanager
    def _lock(self) -> Iterator[None]:
        path = self.source.data_dir / LOCK_FILE
        with open(path, "a", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RotationError("另一个密钥轮换正在运行（同一数据目录）。") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- deciding what to do ---------------------------------------------------------------------

    def run(self, *, new: bool = False, keep_index_key: bool = False) -> dict[str, Any]:
        with self._lock():
            return self._run(new=new, keep_index_key=keep_index_key)

    def _current(self) -> dict[str, str]:
        current = {"field_key": settings.GONGHUI_FIELD_KEY, "index_key": settings.GONGHUI_INDEX_KEY}
        at_rest = self.source.current()
        if at_rest != current:
            where = "环境变量" if self.source.from_env else str(self.source.path)
            raise RotationError(f"本进程使用的密钥与{where}中的不一致：请确认配置后再运行。")
        return current

    def _next(self, current: dict[str, str], keep_index_key: bool) -> dict[str, str] | None:
        found = self.source.next_keys()
        if found is None:
            return None
        if not found["field_key"]:
            raise RotationError(
                f"只设置了 {env_name('next_index_key')}：轮换必须更换字段密钥（{env_name('next_field_key')}）。"
            )
        if not found["index_key"] or keep_index_key:
            if found["index_key"] and found["index_key"] != current["index_key"]:
                raise RotationError(f"--keep-index-key 与已设置的 {env_name('next_index_key')} 矛盾。")
            found["index_key"] = current["index_key"]
        return found

    def _run(self, *, new: bool, keep_index_key: bool) -> dict[str, Any]:
        current = self._current()
        state = self.load_state()
        nxt = self._next(current, keep_index_key)

        if state and state.get("status") == "running":
            self.state = state
            if state.get("database") != database_label():
                raise RotationError(
                    f"进行中的轮换属于另一个数据库（{state.get('database')}），不是当前的 {database_label()}。"
                )
            if nxt is None:
                if key_ids(current) == state["to"]:
                    # Crashed after the keys were switched, before the state said so.
                    return self._finish_recorded()
                raise RotationError(self._missing_next_message(state))
            if key_ids(nxt) != state["to"] or key_ids(current) != state["from"]:
                raise RotationError(
                    f"当前密钥（{_ids_text(key_ids(current))}）与新密钥（{_ids_text(key_ids(nxt))}）"
                    f"不是进行中那次轮换的（{_ids_text(state['from'])} → {_ids_text(state['to'])}）。"
                )
            keyring = Keyring(current["field_key"], current["index_key"], nxt["field_key"], nxt["index_key"])
            self.progress(f"继续未完成的密钥轮换：{_ids_text(state['from'])} → {_ids_text(state['to'])}")
            self._preflight(keyring)
            self.resumed = True
            return self._work(keyring)

        finished = state if state and state.get("status") == "finished" else None
        if nxt is not None:
            if finished and key_ids(nxt) == finished["to"]:
                self.state = finished
                return self._report("already_done")
            if key_ids(nxt)["field"] == key_ids(current)["field"]:
                if nxt == current:
                    self.state = finished or {}
                    return self._report("nothing_to_do")
                raise RotationError("新字段密钥与当前字段密钥相同：轮换必须更换字段密钥。")
            keyring = Keyring(current["field_key"], current["index_key"], nxt["field_key"], nxt["index_key"])
            self._preflight(keyring)
            return self._start(keyring)

        if finished and key_ids(current) == finished["to"] and not new:
            self.state = finished
            return self._report("already_done")
        if self.source.from_env:
            raise RotationError(
                f"密钥来自环境变量：请先设置 {env_name('next_field_key')} 和 {env_name('next_index_key')}"
                "（gonghui keys generate 生成新值），妥善保存后再运行 gonghui keys rotate。"
            )
        new_field = generate_key()
        while crypto.field_key_id(new_field) == crypto.field_key_id(current["field_key"]):
            new_field = generate_key()  # a 32-bit key id may collide; the ids must tell the keys apart
        new_index = current["index_key"] if keep_index_key else generate_key()
        keyring = Keyring(current["field_key"], current["index_key"], new_field, new_index)
        self._preflight(keyring)
        # The new keys reach the disk before any row is sealed under them.
        self.source.write_next({"field_key": new_field, "index_key": new_index})
        return self._start(keyring)

    def _missing_next_message(self, state: dict[str, Any]) -> str:
        target = _ids_text(state["to"])
        if self.source.from_env:
            return (
                f"有一次未完成的密钥轮换（目标 {target}），但环境中没有 {env_name('next_field_key')} / "
                f"{env_name('next_index_key')}：请设置为开始时使用的值再运行。"
            )
        return f"有一次未完成的密钥轮换（目标 {target}），但 {self.source.path} 中没有新密钥：请从备份恢复该文件。"

    def _start(self, keyring: Keyring) -> dict[str, Any]:
        self.state = {
            "status": "running",
            "database": database_label(),
            "keys": "env" if self.source.from_env else "file",
            "from": keyring.ids("from"),
            "to": keyring.ids("to"),
            "keep_index_key": keyring.keep_index,
            "phase": "sealed" if keyring.keep_index else "index",
            "cursors": {},
            "counts": {},
            "started_at": timezone.now().isoformat(),
        }
        self.save_state()
        logger.info("key rotation started: %s -> %s", _ids_text(self.state["from"]), _ids_text(self.state["to"]))
        self.progress(f"开始密钥轮换：{_ids_text(self.state['from'])} → {_ids_text(self.state['to'])}")
        return self._work(keyring)

    # --- before writing anything -----------------------------------------------------------------

    def _preflight(self, keyring: Keyring) -> None:
        """A sample of every sealed column must open with the old or the new key, or nothing is written."""
        opener = Opener([keyring.old_field, keyring.new_field])
        for col in self.columns:
            if col.cipher is None:
                continue
            names = [col.cipher] + ([col.index] if col.index else []) + ([col.type_field] if col.type_field else [])
            qs = col.model._base_manager.filter(**{f"{col.cipher}__isnull": False}).order_by("pk")
            failed = verified = checked = 0
            for row in qs.values_list(*names)[:PREFLIGHT_SAMPLE]:
                values = dict(zip(names, row, strict=True))
                token = values[col.cipher]
                if not _present(token):
                    continue
                opened = opener.open(col.label, token)
                if opened is None:
                    failed += 1
                    continue
                checked += 1
                plain, secret, purpose = opened
                index = values[col.index] if col.index else ""
                if index and not keyring.keep_index:
                    index_key = keyring.old_index if secret == keyring.old_field else keyring.new_index
                    row_type = values[col.type_field] if col.type_field else None
                    inputs = col.index_inputs(plain, row_type)
                    if any(crypto.blind_index(v, purpose=purpose, key=index_key) == index for v in inputs):
                        verified += 1
            if failed:
                raise RotationError(
                    f"{col.label}：抽查的 {failed} 行用当前和新字段密钥都无法解密，未做任何修改。"
                    "请确认 GONGHUI_FIELD_KEY 是加密这些数据时的密钥。"
                )
            if col.index and not keyring.keep_index and checked and not verified:
                raise RotationError(
                    f"{col.label}：抽查的 {checked} 行的盲索引与当前索引密钥不符，未做任何修改。"
                    "请确认 GONGHUI_INDEX_KEY 是建立这些索引时的密钥。"
                )

    # --- the work --------------------------------------------------------------------------------

    def _work(self, keyring: Keyring) -> dict[str, Any]:
        opener = Opener([keyring.old_field, keyring.new_field])
        self._warn_about_running_jobs()
        if self.state["phase"] == "index":
            for model, cols in _by_model(self.columns).items():
                targets = [c for c in cols if c.index]
                if targets:
                    self._index_table(model, targets, keyring, opener)
            self.state["phase"] = "sealed"
            self.save_state()
        if self.state["phase"] in ("sealed", "verify"):
            for model, cols in _by_model(self.columns).items():
                sealed = [c for c in cols if c.cipher]
                if sealed:
                    self._sealed_table(model, sealed, keyring, opener, phase=self.state["phase"])
            self._sealed_files(keyring, phase=self.state["phase"])
            if self.state["phase"] == "sealed":
                self.state["phase"] = "verify"
                self.save_state()
                for model, cols in _by_model(self.columns).items():
                    sealed = [c for c in cols if c.cipher]
                    if sealed:
                        self._sealed_table(model, sealed, keyring, opener, phase="verify")
                self._sealed_files(keyring, phase="verify")
            self.state["phase"] = "switch"
            self.save_state()
        return self._switch()

    def _warn_about_running_jobs(self) -> None:
        from gonghui.core.models import BulkJob

        active = BulkJob.all_objects.filter(status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING]).count()
        if active:
            self.progress(
                f"注意：有 {active} 个批量任务排队或运行中。轮换期间应停止服务和后台任务进程"
                "（systemctl stop gonghui），否则其写入的数据会在最后一遍中补做。"
            )

    def _each_batch(
        self,
        model: type[models.Model],
        where: Q,
        names: list[str],
        cursor_key: str,
        handle: Callable[[list[tuple[Any, ...]]], None],
    ) -> None:
        """`handle` each batch of rows after the recorded cursor in its own transaction, rows locked."""
        phase, label = cursor_key.split(":", 1)
        while True:
            cursor = self.state["cursors"].get(cursor_key)
            with transaction.atomic():
                qs = model._base_manager.filter(where)
                if cursor is not None:
                    qs = qs.filter(pk__gt=cursor)
                rows = list(qs.order_by("pk").select_for_update().values_list("pk", *names)[: self.batch_size])
                if not rows:
                    return
                handle(rows)
            self.after_batch(phase, label, "committed")
            self.state["cursors"][cursor_key] = rows[-1][0]
            self.save_state()
            self.after_batch(phase, label, "recorded")

    def _tell(self, line: str, *, final: bool) -> None:
        """A progress line at most every PROGRESS_SECONDS, and the last one of each table."""
        now = time.monotonic()
        if final or now - self._told >= PROGRESS_SECONDS:
            self._told = now
            self.progress(line)

    def _total(self, model: type[models.Model], where: Q, cursor_key: str) -> tuple[int, int]:
        qs = model._base_manager.filter(where)
        cursor = self.state["cursors"].get(cursor_key)
        left = qs.filter(pk__gt=cursor).count() if cursor is not None else qs.count()
        return qs.count(), left

    def _index_table(
        self, model: type[models.Model], cols: list[crypto.SealedColumns], keyring: Keyring, opener: Opener
    ) -> None:
        label = model._meta.label
        where = Q()
        for col in cols:
            assert col.index is not None
            only_index = ~Q(**{col.index: ""}) & Q(**{f"{col.index}__isnull": False})
            if col.cipher:
                only_index &= Q(**{f"{col.cipher}__isnull": True})
            where |= only_index
        names = [c.index for c in cols if c.index] + [c.cipher for c in cols if c.cipher]
        cursor_key = f"index:{label}"
        total, left = self._total(model, where, cursor_key)
        if not total:
            return
        counts = self._counts(label)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(str(model._meta.pk.column))
        done = total - left

        def handle(rows: list[tuple[Any, ...]]) -> None:
            nonlocal done
            wanted: dict[str, list[tuple[Any, str]]] = defaultdict(list)  # index field -> (pk, old index)
            for row in rows:
                values = dict(zip(names, row[1:], strict=True))
                for col in cols:
                    assert col.index is not None
                    old = values[col.index]
                    if not old or (col.cipher and _present(values[col.cipher])):
                        continue  # no index, or a sealed row: the next phase rebuilds it from its value
                    wanted[col.index].append((row[0], old))
            mapping = self._map_indexes({old for pairs in wanted.values() for _pk, old in pairs}, keyring, opener)
            with connection.cursor() as cur:
                for index_name, pairs in wanted.items():
                    updates = [(mapping[old], pk) for pk, old in pairs if old in mapping]
                    counts["index_mapped"] += len(updates)
                    counts["index_unmapped"] += len(pairs) - len(updates)
                    if updates:
                        column = _column(model, index_name)
                        cur.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608 - quoted names
                            updates,
                        )
            done += len(rows)
            self._tell(f"[索引] {label}：{done}/{total} 行", final=done >= total)

        self._each_batch(model, where, names, cursor_key, handle)

    def _map_indexes(self, olds: set[str], keyring: Keyring, opener: Opener) -> dict[str, str]:
        """Old index -> new index, through sealed rows that still carry the old index."""
        found: dict[str, str] = {}
        for src in self.columns:
            if not (src.cipher and src.index):
                continue
            missing = sorted(olds - found.keys())
            if not missing:
                break
            names = [src.index, src.cipher] + ([src.type_field] if src.type_field else [])
            for start in range(0, len(missing), LOOKUP_CHUNK):
                chunk = missing[start : start + LOOKUP_CHUNK]
                qs = src.model._base_manager.filter(**{f"{src.index}__in": chunk, f"{src.cipher}__isnull": False})
                for row in qs.values_list(*names):
                    old, token = row[0], row[1]
                    if old in found or not _present(token):
                        continue
                    opened = opener.open(src.label, token)
                    if opened is None:
                        continue
                    plain, secret, purpose = opened
                    if secret != keyring.old_field:
                        continue  # sealed under the new key already: its index is a new one
                    for value in src.index_inputs(plain, row[2] if src.type_field else None):
                        if crypto.blind_index(value, purpose=purpose, key=keyring.old_index) == old:
                            found[old] = crypto.blind_index(value, purpose=purpose, key=keyring.new_index)
                            break
        return found

    def _sealed_table(
        self,
        model: type[models.Model],
        cols: list[crypto.SealedColumns],
        keyring: Keyring,
        opener: Opener,
        *,
        phase: str,
    ) -> None:
        label = model._meta.label
        where = Q()
        for col in cols:
            where |= Q(**{f"{col.cipher}__isnull": False})
        names: list[str] = []
        for col in cols:
            names += [n for n in (col.cipher, col.index, col.type_field) if n and n not in names]
        cursor_key = f"{phase}:{label}"
        total, left = self._total(model, where, cursor_key)
        if not total:
            return
        counts = self._counts(label)
        new_id = crypto.field_key_id(keyring.new_field)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(str(model._meta.pk.column))
        done = total - left

        def reseal(
            col: crypto.SealedColumns, pk: Any, values: dict[str, Any]
        ) -> tuple[tuple[str, ...], tuple[Any, ...]] | None:
            """The fields to set and their values (pk last), or None when the row stays as it is."""
            assert col.cipher is not None
            token = values[col.cipher]
            if not _present(token):
                return None
            try:
                info = crypto.token_info(token)
            except crypto.SealError:
                counts["undecryptable"] += 1
                return None
            if info.key_id == new_id:
                if phase == "sealed":
                    counts["already"] += 1
                return None
            opened = opener.open(col.label, token)
            if opened is None:
                counts["undecryptable"] += 1
                return None
            plain, secret, purpose = opened
            if secret == keyring.new_field:
                return None
            sealed = crypto.encrypt(plain, purpose=purpose, key=keyring.new_field)
            counts["rotated"] += 1
            if phase == "verify":
                counts["late"] += 1
            old_index = values[col.index] if col.index else ""
            if not old_index or keyring.keep_index:
                return (col.cipher,), (sealed, pk)
            assert col.index is not None
            row_type = values[col.type_field] if col.type_field else None
            for value in col.index_inputs(plain, row_type):
                if crypto.blind_index(value, purpose=purpose, key=keyring.old_index) == old_index:
                    counts["index_rebuilt"] += 1
                    new_index = crypto.blind_index(value, purpose=purpose, key=keyring.new_index)
                    return (col.cipher, col.index), (sealed, new_index, pk)
            counts["index_unverified"] += 1  # its input is not the sealed value: left as it was
            return (col.cipher,), (sealed, pk)

        def handle(rows: list[tuple[Any, ...]]) -> None:
            nonlocal done
            updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
            for row in rows:
                values = dict(zip(names, row[1:], strict=True))
                for col in cols:
                    change = reseal(col, row[0], values)
                    if change is not None:
                        updates[change[0]].append(change[1])
            with connection.cursor() as cur:
                for fields, params in updates.items():
                    assignments = ", ".join(f"{_column(model, n)} = %s" for n in fields)
                    cur.executemany(
                        f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",  # noqa: S608 - quoted names
                        params,
                    )
            done += len(rows)
            self._tell(f"[{'加密' if phase == 'sealed' else '复查'}] {label}：{done}/{total} 行", final=done >= total)

        self._each_batch(model, where, names, cursor_key, handle)

    def _sealed_files(self, keyring: Keyring, *, phase: str) -> None:
        """Seal every bulk file (uploads, error workbooks, exports) again under the new key.

        Each file names its key in its header and is replaced whole, so a file done
        twice (a resumed rotation) is found under the new key and left alone.
        """
        from gonghui.core.bulk.files import reseal_file, sealed_files

        counts = self._counts(FILES_LABEL)
        new_id = crypto.field_key_id(keyring.new_field)
        done = 0
        for path in sealed_files():
            try:
                with path.open("rb") as f:
                    key_id = crypto.sealed_file_key_id(f.read(crypto.FILE_HEADER_BYTES))
                if key_id == new_id:
                    if phase == "sealed":
                        counts["already"] += 1
                    continue
                reseal_file(path, keys=[keyring.old_field], key=keyring.new_field)
            except FileNotFoundError:
                continue  # swept meanwhile
            except crypto.SealError:
                counts["undecryptable"] += 1
                continue
            counts["rotated"] += 1
            if phase == "verify":
                counts["late"] += 1
            done += 1
            self._tell(f"[{'加密' if phase == 'sealed' else '复查'}] {FILES_LABEL}：{done} 个", final=False)
        self.save_state()

    # --- the end ---------------------------------------------------------------------------------

    def _switch(self) -> dict[str, Any]:
        if not self.source.from_env and key_ids(self.source.current()) != self.state["to"]:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            retired = self.source.data_dir / f"keys-retired-{stamp}.json"
            self.source.promote(retired)
            self.state["retired_keys_file"] = str(retired)
        return self._finish_recorded()

    def _finish_recorded(self) -> dict[str, Any]:
        from gonghui.core.audit import audit_record

        totals = self._totals()
        with transaction.atomic():
            audit_record(
                actor=None,
                action="core.keys.rotate",
                data={"from": self.state["from"], "to": self.state["to"], **totals},
            )
        self.state["status"] = "finished"
        self.state["phase"] = "done"
        self.state["finished_at"] = timezone.now().isoformat()
        self.state["cursors"] = {}
        self.save_state()
        logger.info(
            "key rotation finished: %s -> %s %s", _ids_text(self.state["from"]), _ids_text(self.state["to"]), totals
        )
        return self._report("done")

    def _totals(self) -> dict[str, int]:
        totals = dict.fromkeys(COUNT_KEYS, 0)
        for table in self.state.get("counts", {}).values():
            for key in COUNT_KEYS:
                totals[key] += int(table.get(key, 0))
        return totals

    def _report(self, status: str) -> dict[str, Any]:
        report: dict[str, Any] = {
            "status": status,
            "resumed": self.resumed,
            "keys": "env" if self.source.from_env else "file",
            "from": self.state.get("from"),
            "to": self.state.get("to"),
            "finished_at": self.state.get("finished_at"),
            **self._totals(),
            "tables": self.state.get("counts", {}),
        }
        if self.state.get("retired_keys_file"):
            report["retired_keys_file"] = self.state["retired_keys_file"]
        report["operator"] = self._operator_steps(status)
        return report

    def _operator_steps(self, status: str) -> list[str]:
        if status == "nothing_to_do":
            names = f"{env_name('next_field_key')} / {env_name('next_index_key')}"
            return [f"新密钥与当前密钥相同，无需轮换；请从环境中删除 {names}。"]
        steps: list[str] = []
        if self.source.from_env and self.state.get("to"):
            current = key_ids(self.source.current())
            if current != self.state["to"]:
                steps += [
                    f"把 {env_name('field_key')} 改为 {env_name('next_field_key')} 的值，"
                    f"{env_name('index_key')} 改为 {env_name('next_index_key')} 的值"
                    f"（密钥编号 {_ids_text(self.state['to'])}），然后删除这两个 NEXT 变量；",
                    "旧值与轮换前的备份一起离线保存，备份过期后销毁；",
                ]
            else:
                steps.append(f"请从环境中删除 {env_name('next_field_key')} / {env_name('next_index_key')}；")
        elif self.state.get("retired_keys_file"):
            steps.append(
                f"旧密钥已移到 {self.state['retired_keys_file']}：与轮换前的备份一起离线保存，备份过期后销毁；"
            )
        if status == "done":
            steps.append("重启服务（systemctl restart gonghui gonghui-worker），使其使用新密钥。")
            if self._totals()["index_unmapped"]:
                steps.append("仅存盲索引且在本库找不到对应号码的记录（如部门名单）未能换新索引：请重新导入这些名单。")
        return steps


def _ids_text(ids: dict[str, str]) -> str:
    return f"字段 {ids['field']} / 索引 {ids['index']}"
