"""Console logging for builds: MkDocs' warnings and errors, one line each."""

from __future__ import annotations

import logging
import sys


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname:<7} -  {record.getMessage()}"


def setup(quiet: bool = False) -> None:
    """Show MkDocs' messages on stderr: warnings and errors, plus progress unless ``quiet``."""
    logger = logging.getLogger("mkdocs")
    for h in list(logger.handlers):
        if getattr(h, "_gpu_year", False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._gpu_year = True  # type: ignore[attr-defined]
    handler.setFormatter(_Format())
    handler.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
