"""Pages for aid: thin views over the services and selectors."""

from __future__ import annotations
