from __future__ import annotations

from typing import Any

import pytest

from gonghui.portal.tests.factories import PortalWorld, build_portal_world


@pytest.fixture
def pw_world(tree: Any, make_user: Any) -> PortalWorld:
    return build_portal_world(tree, make_user)
