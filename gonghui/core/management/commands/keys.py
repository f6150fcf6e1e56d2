"""`gonghui keys status|generate|rotate`: the field and index keys, and rotating them.

`rotate` re-encrypts every sealed value under a new field key and rebuilds every
blind index under a new index key, resumably (see `_keyrotation`). Progress goes
to stderr; the summary to stdout, its last line one JSON object. Nothing printed
holds an ID number: tables, counts and key ids (hashes of the keys) only.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core import crypto
from gonghui.core.keys import KeySource, env_name, generate_key
from gonghui.core.management.commands._keyrotation import FILES_LABEL, STATE_FILE, Rotation, RotationError, key_ids


def key_source() -> KeySource:
    # The same inputs settings/base.py gives load_or_create_keys.
    return KeySource(data_dir=settings.DATA_DIR, environ=os.environ)


def key_census() -> dict[str, dict[str, int]]:
    """Per sealed column, how many tokens name each key id ("v1" for tokens from before key ids)."""
    census: dict[str, dict[str, int]] = {}
    for col in crypto.sealed_columns():
        if col.cipher is None:
            continue
        seen: Counter[str] = Counter()
        qs = col.model._base_manager.filter(**{f"{col.cipher}__isnull": False}).values_list(col.cipher, flat=True)
        for token in qs.iterator(chunk_size=5000):
            if token is None or not len(token):
                continue
            try:
                info = crypto.token_info(token)
            except crypto.SealError:
                seen["unreadable"] += 1
                continue
            seen[info.key_id or "v1"] += 1
        census[col.label] = dict(seen)
    census[FILES_LABEL] = file_census()
    return census


def file_census() -> dict[str, int]:
    """How many sealed bulk files (uploads, error workbooks, exports) name each key id."""
    from gonghui.core.bulk.files import sealed_files

    seen: Counter[str] = Counter()
    for path in sealed_files():
        try:
            with path.open("rb") as f:
                seen[crypto.sealed_file_key_id(f.read(crypto.FILE_HEADER_BYTES))] += 1
        except (FileNotFoundError, crypto.SealError):
            continue  # swept meanwhile
    return dict(seen)


class Command(BaseCommand):
    help = "字段密钥与索引密钥：查看（status）、生成（generate）、轮换（rotate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="当前密钥编号、来源、轮换进度，以及各加密字段和批量文件由哪把密钥加密")
        status.add_argument("--json", action="store_true")
        sub.add_parser("generate", help="打印一组新的字段密钥和索引密钥（供环境变量使用）")
        rotate = sub.add_parser("rotate", help="用新密钥重新加密所有加密字段并重建盲索引（可中断、可续跑）")
        rotate.add_argument("--batch-size", type=int, default=1000)
        rotate.add_argument("--keep-index-key", action="store_true", help="只更换字段密钥，盲索引不变")
        rotate.add_argument("--new", action="store_true", help="上次轮换已完成时，再开始一次新的轮换")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self._generate()
        elif action == "status":
            self._status(as_json=options["json"])
        else:
            self._rotate(options)

    def _generate(self) -> None:
        self.stderr.write("新密钥只显示这一次：写入密钥保管处（环境变量文件），与数据库备份分开离线保存。")
        self.stdout.write(f"{env_name('next_field_key')}={generate_key()}")
        self.stdout.write(f"{env_name('next_index_key')}={generate_key()}")

    def _status(self, *, as_json: bool) -> None:
        source = key_source()
        current = {"field_key": settings.GONGHUI_FIELD_KEY, "index_key": settings.GONGHUI_INDEX_KEY}
        nxt = source.next_keys()
        state_path = source.data_dir / STATE_FILE
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else None
        body: dict[str, Any] = {
            "keys": "env" if source.from_env else "file",
            "current": key_ids(current),
            "next": key_ids({n: v or current[n] for n, v in nxt.items()}) if nxt else None,
            "rotation": (
                {k: state.get(k) for k in ("status", "phase", "from", "to", "started_at", "finished_at")}
                if state
                else None
            ),
            "sealed": key_census(),
        }
        if as_json:
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        self.stdout.write(f"密钥来源：{'环境变量' if source.from_env else source.path}")
        self.stdout.write(f"当前密钥：字段 {body['current']['field']} / 索引 {body['current']['index']}")
        if body["next"]:
            self.stdout.write(f"新密钥：字段 {body['next']['field']} / 索引 {body['next']['index']}")
        if state:
            self.stdout.write(
                f"轮换：{state.get('status')}（{state.get('phase')}），"
                f"{state['from']['field']} → {state['to']['field']}，完成于 {state.get('finished_at') or '—'}"
            )
        for label, seen in body["sealed"].items():
            parts = "，".join(f"{k} {v}" for k, v in sorted(seen.items())) or "无数据"
            self.stdout.write(f"{label}\t{parts}")

    def _rotate(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 至少为 1", returncode=2)
        rotation = Rotation(
            source=key_source(),
            batch_size=options["batch_size"],
            progress=lambda line: self.stderr.write(line),
        )
        try:
            report = rotation.run(new=options["new"], keep_index_key=options["keep_index_key"])
        except RotationError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        words = {
            "done": "密钥轮换完成",
            "already_done": "上次密钥轮换已完成，无需再做（再次轮换请加 --new）",
            "nothing_to_do": "无需轮换",
        }
        self.stdout.write(f"{words.get(report['status'], report['status'])}。")
        if report["status"] == "done":
            self.stdout.write(
                f"重新加密 {report['rotated']} 个值（其中轮换期间新写入 {report['late']} 个），"
                f"重建索引 {report['index_rebuilt']} 个，仅索引记录换新 {report['index_mapped']} 个。"
            )
        problems = {k: report[k] for k in ("undecryptable", "index_unverified", "index_unmapped") if report[k]}
        if problems:
            self.stdout.write(
                f"未能处理：无法解密 {report['undecryptable']} 个，索引无法核对 {report['index_unverified']} 个，"
                f"仅索引且无对应号码 {report['index_unmapped']} 个（见下方各表明细）。"
            )
        for step in report["operator"]:
            self.stdout.write(f"→ {step}")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if report["undecryptable"] or report["index_unverified"]:
            raise SystemExit(1)
