"""`core.bulk.write_retrying`: the one retry of a bulk batch that collided with a concurrent writer."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from gonghui.core.bulk import write_retrying
from gonghui.core.bulk.engine import Row


class Kind:
    def __init__(self, clashes: int) -> None:
        self.clashes = clashes
        self.seen: dict[str, int] = {"A": 1}
        self.made: object | None = None
        self.tries = 0

    def write(self, rows: list[Row]) -> dict[str, int]:
        self.tries += 1
        for row in rows:
            row.reject("姓名", f"第 {self.tries} 次")
            self.seen[f"row{row.number}"] = self.tries
        self.made = object()
        if self.clashes:
            self.clashes -= 1
            raise IntegrityError("duplicate key")
        return {"created": len(rows)}


def rows() -> list[Row]:
    return [Row(number=n, cells=[], values={}, errors=["先前的原因"] if n == 2 else []) for n in (2, 3)]


def test_a_clash_is_written_again_from_the_state_before_it() -> None:
    kind, batch = Kind(clashes=1), rows()
    assert write_retrying(kind, batch, lambda: kind.write(batch), state=("seen", "made")) == {"created": 2}
    assert kind.tries == 2
    # The first try's marks are gone: only what the second try found is left.
    assert [r.errors for r in batch] == [["先前的原因", "姓名：第 2 次"], ["姓名：第 2 次"]]
    assert kind.seen == {"A": 1, "row2": 2, "row3": 2}


def test_no_clash_writes_once() -> None:
    kind, batch = Kind(clashes=0), rows()
    write_retrying(kind, batch, lambda: kind.write(batch), state=("seen",))
    assert kind.tries == 1


def test_a_second_clash_is_a_fault() -> None:
    kind, batch = Kind(clashes=2), rows()
    with pytest.raises(IntegrityError):
        write_retrying(kind, batch, lambda: kind.write(batch), state=("seen",))
    assert kind.tries == 2
