from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, user_create
from gonghui.core.errors import DomainError


class Command(BaseCommand):
    help = "授予用户在某工会子树上的角色；用户不存在时先创建（密码取自文件或提示输入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="工会代码")
        parser.add_argument("--role", required=True, help="角色：admin / officer / reviewer / viewer …")
        parser.add_argument("--password-file", help="新用户的密码文件（第一行）")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        try:
            with transaction.atomic():
                user = User.objects.filter(username=username).first()
                created = False
                if user is None:
                    password = self._password(options.get("password_file"))
                    user = user_create(username=username, password=password)
                    created = True
                grant = grant_role(
                    actor=None, actor_scope=None, user=user, role_name=options["role"], org_code=options["org"].strip()
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        self.stdout.write(
            f"{'已创建用户 ' + username + '，' if created else ''}已授予 {grant.role.label}（{grant.role.name}）"
            f"于 {grant.org.name}（{grant.org.code}）及其下级。"
        )

    def _password(self, password_file: str | None) -> str:
        if password_file:
            try:
                return Path(password_file).read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as exc:
                raise CommandError(f"无法读取密码文件：{password_file}") from exc
        first = getpass.getpass("新用户密码：")
        if first != getpass.getpass("再次输入："):
            raise CommandError("两次输入的密码不一致。")
        return first
