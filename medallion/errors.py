"""MedallionError and its children: user-facing failures whose message names the fault and fix."""

from __future__ import annotations


class MedallionError(Exception):
    """A failure caused by input or configuration; the CLI prints it in one line, no traceback."""


class ConfigError(MedallionError):
    """A setting is missing or invalid."""


class LandingError(MedallionError):
    """The landing zone cannot be used (missing, not a directory, unreadable)."""


class SelectionError(MedallionError):
    """A ``--select`` expression names no known layer or model."""


class ContractError(MedallionError):
    """A table failed its Pandera contract; the message names table, column and check."""


class LockError(MedallionError):
    """Another run holds the warehouse; the message names its pid, host, start and lock file."""
