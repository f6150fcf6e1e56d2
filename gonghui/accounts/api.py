from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.accounts.models import User
from gonghui.accounts.selectors import token_list
from gonghui.accounts.services import token_create, token_revoke
from gonghui.core.errors import DomainError

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.post("/token", auth=None, response=TokenOut, summary="以用户名和密码换取访问令牌")
def issue_token(request: HttpRequest, body: TokenIn) -> dict[str, str]:
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise DomainError("locked_out", status=429)
    if user is None:
        raise DomainError("bad_credentials", status=401)
    assert isinstance(user, User)
    return {"token": token_create(user=user, name=body.name or "API").raw}


@router.get("/tokens", response=list[TokenInfo], summary="我的访问令牌")
def list_tokens(request: HttpRequest) -> list[object]:
    assert isinstance(request.user, User)
    return list(token_list(user=request.user))


@router.delete("/tokens/{token_id}", response=TokenInfo, summary="吊销我的访问令牌")
def revoke_token(request: HttpRequest, token_id: int) -> object:
    assert isinstance(request.user, User)
    return token_revoke(user=request.user, token_id=token_id)
