"""The `gonghui` console script: a manage.py wrapper.

Command names may be written with hyphens (`gonghui check-org-tree`); Django's
command modules use underscores, so the first argument is translated.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from gonghui.core.keys import default_settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module(os.environ))
    args = list(sys.argv if argv is None else argv)
    args[0] = "gonghui"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
