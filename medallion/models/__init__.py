"""Every model, one module per table; importing this package registers them all."""

from __future__ import annotations

from medallion.models import bronze, gold, silver  # noqa: F401
