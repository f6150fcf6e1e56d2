from __future__ import annotations

from typing import Any

import pytest

from gonghui.student_aid.tests.factories import World, build_world


@pytest.fixture
def world(tree: Any, make_user: Any) -> World:
    return build_world(tree, make_user)
