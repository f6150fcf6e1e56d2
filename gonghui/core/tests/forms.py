"""Reading a rendered form back as the browser would fill it: what each field holds now.

Tests of refused forms assert on the page the user sees, not on the view's context:
a value the form keeps but the widget drops (a `format_value` returning None, a
PasswordInput) is lost to the user all the same.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.passwords: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "password":
                self.passwords[name] = a.get("value") or ""
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value") or "on")
            elif kind not in ("submit", "button", "file"):
                self._add(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select:
            value, selected = self._option
            if selected:
                self._add(self._select, value if value is not None else self._option_text.strip())
            self._option = None
        elif tag == "select":
            self._select = None


def field_values(html: str) -> dict[str, str]:
    """Each named field's value as rendered (a textarea's text; a multiple choice's values joined by "|")."""
    parser = _Fields()
    parser.feed(html)
    # A textarea's first newline is eaten by the browser (and written by Django for that reason).
    return {name: "|".join(v.removeprefix("\n") for v in values) for name, values in parser.values.items()}


def password_values(html: str) -> dict[str, str]:
    """Each password input's rendered value: a refused form must leave them all empty."""
    parser = _Fields()
    parser.feed(html)
    return parser.passwords
