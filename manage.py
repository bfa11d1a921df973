#!/usr/bin/env python
"""Django's command-line utility; `amparo` is the same with a friendlier name."""

from amparo.cli import main

if __name__ == "__main__":
    main()
