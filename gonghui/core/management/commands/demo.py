from __future__ import annotations

import os
import random
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from gonghui.core.demo import SCALES, DemoContext, demo_steps
from gonghui.core.management.commands.serve import ensure_static_collected


class Command(BaseCommand):
    help = "创建演示数据（参考页面中的组织、项目与数字，人员均为虚构），然后启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="只加载演示数据，不启动服务")
        parser.add_argument("--seed", type=int, default=20230920, help="随机数种子（同一种子生成同样的数据）")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        ctx = DemoContext(
            scale=options["scale"],
            rng=random.Random(options["seed"]),  # noqa: S311 - reproducible demo data
            log=lambda msg: self.stderr.write(msg),
        )
        # One transaction: a failed step leaves the database as it was.
        with transaction.atomic():
            for _order, name, step in demo_steps():
                self.stderr.write(f"· {name}")
                step(ctx)
        # Fresh planner statistics after a bulk load: without them SQLite picks a
        # subtree scan over a selective name index (sqlite_stat1 is empty).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪（规模：{ctx.scale}）。数据库：{settings.DATABASES['default']['NAME']}")
        )
        self.stdout.write("演示账户（密码相同）：")
        for acc in ctx.accounts:
            self.stdout.write(f"  {acc.username:<12} 密码 {acc.password}  角色 {acc.role:<8} 范围 {acc.org_label}")
        # Collected even without serving: the next step may be `runserver` or a hand-started process.
        ensure_static_collected(self.stdout)
        if options["no_serve"]:
            return
        self.stdout.write(f"打开 http://127.0.0.1:{options['port']}/ 登录。")
        call_command("serve", port=options["port"])
