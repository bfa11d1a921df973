import io
import logging
import sys

from amparo.core.logs import StderrHandler


def test_records_go_to_the_stderr_of_the_moment(monkeypatch):
    handler = StderrHandler()
    logger = logging.getLogger("amparo.tests.logs")
    logger.addHandler(handler)
    logger.propagate = False
    first, second = io.StringIO(), io.StringIO()
    try:
        monkeypatch.setattr(sys, "stderr", first)
        logger.warning("one")
        first.close()  # a test runner's capture, closed after its test
        monkeypatch.setattr(sys, "stderr", second)
        logger.warning("two")
        assert second.getvalue() == "two\n"
        handler.stream = io.StringIO()  # setStream and configuration cannot pin a stream
        logger.warning("three")
        assert second.getvalue() == "two\nthree\n"
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
