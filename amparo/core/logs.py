"""The log handler of the LOGGING setting."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class StderrHandler(logging.StreamHandler):
    """Writes each record to the sys.stderr of the moment it is emitted.

    logging.StreamHandler keeps the stream it was given when the logging configuration was
    loaded; when that stream is later replaced and closed (a test runner's capture, a server
    that redirects its standard streams), every record fails with "I/O operation on closed
    file". This handler looks sys.stderr up at each record, as logging's own last-resort
    handler does.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current sys.stderr
