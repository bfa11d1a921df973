"""The `amparo` command: Django's manage.py under a friendlier name (`amparo help` lists all)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A missing or malformed environment variable: say which, without a traceback.
        sys.stderr.write(f"amparo: configuration error: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
