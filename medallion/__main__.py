"""Allows ``python -m medallion``."""

from __future__ import annotations

from medallion.cli import main

main()
