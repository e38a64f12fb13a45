"""Exit statuses of the command line."""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
"""No error or warning finding; at least one; a usage or internal error."""


class UsageError(Exception):
    """A problem with what the command line asks for: one line on stderr, exit status 2."""
