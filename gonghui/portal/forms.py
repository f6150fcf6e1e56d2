"""Forms of the member pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from gonghui.core.formfields import YuanField
from gonghui.members.validation import FieldError, clean_mobile, parse_identity
from gonghui.portal.selectors import member_account_of
from gonghui.student_aid.models import EnrolmentKind, StudentLevel


class IdNumberInput(forms.TextInput):
    """A text box for an ID number: no browser history of it; a refused form shows it as the member typed it.

    It goes back only to who has just typed it, as the input's value (never into a log or
    anywhere else on the page); no form here is given a stored ID number as its initial value.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})


# A year's fees or loans above this are a typing slip, not a school's bill.
MAX_YUAN_FEN = 1_000_000_00


class MobileFormMixin:
    """Bootstrap's classes on every widget, so the phone pages render fields with `{{ field }}` alone."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


class MemberLoginForm(MobileFormMixin, AuthenticationForm):
    """Sign in with the mobile number and password; the field keeps Django's name so lockout sees it."""

    username = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "手机号码或密码不正确，请重试。连续多次失败后账户将被暂时锁定。",
        "inactive": "该账户已停用，请联系所在工会。",
        "not_member": "该账户不是会员账户。工作人员请从工作人员登录入口登录。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_username(self) -> str:
        """The mobile as activation stored it: "+86 138-0013-8001" signs in as 13800138001."""
        raw = "".join(str(self.cleaned_data["username"]).split())
        try:
            return clean_mobile(raw) or raw
        except FieldError:
            return raw  # not a mobile: an account made by the console keeps its own name

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if member_account_of(user) is None:
            raise ValidationError(self.error_messages["not_member"], code="not_member")


class ActivateForm(MobileFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号码", max_length=40, widget=IdNumberInput())
    mobile = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="入会时登记的手机号码，激活后即为登录账号。",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label="设置密码",
        strip=False,
        help_text="至少 10 位，不能全是数字，不能与手机号码相近。",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致")
        return data


PROMISE_LABEL = "本人承诺：该学生本学年未获得其他同类助学资助，所填信息真实，如有不实愿退回资助款。"
PROMISE_REQUIRED = "请阅读并勾选承诺"


def school_year_label(year: int) -> str:
    return f"{year}–{year + 1} 学年"


class AidApplyForm(MobileFormMixin, forms.Form):
    """A member's 金秋助学 application for their child (next year's is `AidContinueForm`)."""

    school_year = forms.TypedChoiceField(label="申请学年", coerce=int)
    name = forms.CharField(label="学生姓名", max_length=60)
    id_number = forms.CharField(label="学生身份证号码", max_length=40, widget=IdNumberInput())
    relation = forms.ChoiceField(label="与您的关系", choices=[("子", "儿子"), ("女", "女儿")])
    school = forms.CharField(label="就读院校", max_length=200)
    level = forms.ChoiceField(label="学段", choices=[("", "请选择"), *StudentLevel.choices])
    major = forms.CharField(label="专业", max_length=200, required=False)
    enrolment_kind = forms.ChoiceField(label="录取类型", choices=EnrolmentKind.choices, initial=EnrolmentKind.REGULAR)
    enrolment_year = forms.IntegerField(label="入学年份", min_value=1990, max_value=2100)
    graduation_year = forms.IntegerField(label="预计毕业年份", min_value=1990, max_value=2100)
    tuition = YuanField(label="每年学杂费（元）", max_fen=MAX_YUAN_FEN, required=False)
    loan = YuanField(label="每年助学贷款（元）", max_fen=MAX_YUAN_FEN, required=False)
    family_on_subsistence = forms.BooleanField(label="家庭为低保户", required=False)
    promise = forms.BooleanField(label=PROMISE_LABEL, error_messages={"required": PROMISE_REQUIRED})

    def __init__(self, *args: Any, school_years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(y, school_year_label(y)) for y in school_years]
        for name in ("enrolment_year", "graduation_year"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.style_widgets()

    def clean_id_number(self) -> str:
        """Checked here too, so a mistyped number is named with the form's other mistakes (the service rechecks)."""
        raw = str(self.cleaned_data.get("id_number", "")).strip()
        try:
            parse_identity(raw)
        except FieldError as exc:
            raise ValidationError(str(exc)) from exc
        return raw


class AidContinueForm(MobileFormMixin, forms.Form):
    """Next school year's application from the last one: the member confirms what may have changed and
    promises again. The student (name, ID number, years) comes from the last application and is not asked."""

    school = forms.CharField(label="就读院校", max_length=200)
    major = forms.CharField(label="专业", max_length=200, required=False)
    level = forms.ChoiceField(label="学段", choices=[("", "请选择"), *StudentLevel.choices])
    tuition = YuanField(label="每年学杂费（元）", max_fen=MAX_YUAN_FEN, required=False)
    loan = YuanField(label="每年助学贷款（元）", max_fen=MAX_YUAN_FEN, required=False)
    family_on_subsistence = forms.BooleanField(label="家庭为低保户", required=False)
    promise = forms.BooleanField(label=PROMISE_LABEL, error_messages={"required": PROMISE_REQUIRED})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class WithdrawForm(MobileFormMixin, forms.Form):
    reason = forms.CharField(label="撤回原因（选填）", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
