"""The ``dateline`` command: Django's management commands with Dateline's settings.

dateline migrate
dateline loaddemo --stories 5000
dateline serve --port 8000
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "dateline"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
