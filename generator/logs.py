"""Console logging for builds: MkDocs' warnings and errors, one line each."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

BUILD_LOGGER = "mkdocs.commands.build"  # where MkDocs logs a BuildError before aborting


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname:<7} -  {record.getMessage()}"


def setup(quiet: bool = False, verbose: bool = False, hide_build_errors: bool = True) -> None:
    """Show MkDocs' messages on stderr: errors; warnings unless quiet; progress if verbose."""
    logger = logging.getLogger("mkdocs")
    for h in list(logger.handlers):
        if getattr(h, "_gpu_year", False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._gpu_year = True  # type: ignore[attr-defined]
    handler.setFormatter(_Format())
    if hide_build_errors:  # `build` reports them once, in its error message (build_errors)
        handler.addFilter(lambda r: not (r.name == BUILD_LOGGER and r.levelno >= logging.ERROR))
    handler.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class _Collect(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def collected(logger_name: str, level: int) -> Iterator[list[str]]:
    """The messages logged to ``logger_name`` at ``level`` or above while the block runs."""
    handler = _Collect(level)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def build_errors() -> contextlib.AbstractContextManager[list[str]]:
    """Collect the errors MkDocs logs while building (it logs a BuildError, then aborts)."""
    return collected(BUILD_LOGGER, logging.ERROR)
