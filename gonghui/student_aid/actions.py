"""The buttons on an application (page and API alike), each mapped to its service.

Both the pages and `/api/v1/student-aid` press them through `decide`, so they
refuse the same things the same way.
"""

from __future__ import annotations

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scoping import Scope, require_perm_at
from gonghui.student_aid import applications, selectors
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication
from gonghui.student_aid.permissions import StudentAidPerm

# action → what the page and the messages call it
APPLICATION_ACTIONS = {
    "review": "基层工会审核通过",
    "approve": "县级总工会审批通过",
    "return": "退回基层工会补正",
    "reject": "不予通过",
    "withdraw": "撤回",
}


def decide(*, actor: User, scope: Scope, application: StudentAidApplication, action: str, note: str) -> None:
    """The page's and the API's buttons on an application, each mapped to its service.

    `review` and `approve` name the step they expect, so a stale page does not
    approve what it meant to review. `return` sends an application from the
    county's step back to the grassroots union's review, with its note.
    """
    if action == "withdraw":
        require_perm_at(scope, StudentAidPerm.APPLY, application.org_path)
    elif not (
        scope.has_perm(StudentAidPerm.REVIEW, application.org_path)
        or scope.has_perm(StudentAidPerm.APPROVE, selectors.approving_org(application.org).path)
    ):
        # Neither step is the caller's here: a 403 before any word on the state.
        raise PermissionDeniedError(StudentAidPerm.REVIEW)
    expected = {"review": ApplicationStatus.APPLIED, "approve": ApplicationStatus.UNIT_REVIEWED}
    if action in expected and application.status != expected[action]:
        raise DomainError(
            "student_aid.wrong_status",
            state=application.get_status_display(),
            action=APPLICATION_ACTIONS[action],
        )
    if action == "withdraw":
        applications.application_withdraw(actor=actor, scope=scope, application=application, reason=note)
    elif action in ("review", "approve"):
        applications.application_decide(actor=actor, scope=scope, application=application, approve=True, note=note)
    elif action == "return":
        applications.application_return(actor=actor, scope=scope, application=application, note=note)
    else:
        applications.application_decide(actor=actor, scope=scope, application=application, approve=False, note=note)
