"""The 词语对照 page: every choice table's options and the everyday words each one accepts.

A platform admin (superuser) adds the words a province's files use (`core.synonyms`);
everyone else may not see the page (404 for a foreign id, 403 for the page itself, as any
permission refusal). The shipped words are shown beside the added ones, read only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core import words
from gonghui.core.errors import DomainError
from gonghui.core.models import Synonym
from gonghui.core.synonyms import MAX_WORD, synonym_add, synonym_delete
from gonghui.core.viewutils import actor_of, apply_domain_error, scope_of


class SynonymForm(forms.Form):
    word = forms.CharField(
        label="常用写法", max_length=MAX_WORD, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    value = forms.ChoiceField(label="对应选项", widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.fields["value"]
        assert isinstance(value, forms.ChoiceField)
        value.choices = [("", "请选择…"), *options]


def _admin_only(request: HttpRequest) -> None:
    if not scope_of(request).is_superuser:
        raise PermissionDenied


def _table(key: str) -> words.ChoiceTable:
    try:
        return words.choice_table(key)
    except KeyError as exc:
        raise Http404 from exc


@login_required
def synonym_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    tables = words.choice_tables()
    key = request.GET.get("table") or (tables[0].key if tables else "")
    table = _table(key)
    return _page(request, table, SynonymForm(options=_options(table)))


def _options(table: words.ChoiceTable) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in table.options()]


def _page(request: HttpRequest, table: words.ChoiceTable, form: SynonymForm, status: int = 200) -> HttpResponse:
    options = _options(table)
    labels = dict(options)
    shipped: dict[str, list[str]] = {}
    for word, value in sorted(table.synonyms.items()):
        shipped.setdefault(value, []).append(word)
    added = list(Synonym.objects.filter(table=table.key).select_related("created_by"))
    context = {
        "section": "synonyms",
        "tables": words.choice_tables(),
        "table": table,
        "rows": [{"value": v, "label": label, "shipped": shipped.get(v, [])} for v, label in options],
        "added": [{"synonym": s, "label": labels.get(s.value, s.value)} for s in added],
        "form": form,
    }
    return render(request, "imports/synonyms.html", context, status=status)


@login_required
@require_POST
def synonym_create(request: HttpRequest, table: str) -> HttpResponse:
    _admin_only(request)
    choices = _table(table)
    form = SynonymForm(request.POST, options=_options(choices))
    if form.is_valid():
        try:
            synonym_add(
                actor=actor_of(request),
                scope=scope_of(request),
                table=choices.key,
                word=form.cleaned_data["word"],
                value=form.cleaned_data["value"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已添加：“{form.cleaned_data['word']}”。")
            return redirect(reverse("imports:synonyms") + f"?table={choices.key}")
    # Refused: the form again with what was typed and every error at once.
    return _page(request, choices, form, status=400)


@login_required
@require_POST
def synonym_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    synonym = Synonym.objects.filter(pk=pk).first()
    if synonym is None:
        raise Http404
    synonym_delete(actor=actor_of(request), scope=scope_of(request), synonym=synonym)
    messages.success(request, f"已删除：“{synonym.word}”。")
    return redirect(reverse("imports:synonyms") + f"?table={synonym.table}")
