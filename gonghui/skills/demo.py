"""The skills app's demo steps (autodiscovered by core): each part in its own module."""

from gonghui.skills import demo_contests  # noqa: F401  (registers 温岭's contest)
