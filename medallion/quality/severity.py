"""What a failing check does: stop the run, be reported, or move its rows to quarantine."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from medallion.errors import ConfigError

Severity = Literal["error", "warn", "quarantine"]
SEVERITIES: tuple[Severity, ...] = ("error", "warn", "quarantine")
DEFAULT_SEVERITY: Severity = "error"


def parse_severity(value: object, where: str) -> Severity:
    if value not in SEVERITIES:
        raise ConfigError(f"{where}: severity {value!r} is not one of {', '.join(SEVERITIES)}")
    return cast(Severity, value)


@dataclass(frozen=True)
class SeverityPolicy:
    """Overrides of the contracts' default severities, by check id pattern.

    Patterns are shell-style (``gold.*.not_null``); the last matching pattern wins, so a file
    can set a broad rule and then refine it.
    """

    overrides: tuple[tuple[str, Severity], ...] = ()
    source: str = "defaults"

    def resolve(self, check_id: str, default: Severity) -> Severity:
        found = default
        for pattern, severity in self.overrides:
            if fnmatch.fnmatchcase(check_id, pattern):
                found = severity
        return found

    @classmethod
    def from_file(cls, path: Path) -> SeverityPolicy:
        """Read the ``[severity]`` table of a medallion.toml: ``"<check id or pattern>" = "warn"``
        lines."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        unknown = set(data) - {"severity"}
        if unknown:
            raise ConfigError(
                f"config file {path}: unknown section(s) {', '.join(sorted(unknown))}; "
                "only [severity] is read"
            )
        table = data.get("severity", {})
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: [severity] must be a table of check = level")
        overrides = tuple(
            (str(pattern), parse_severity(level, f"config file {path}, severity of {pattern!r}"))
            for pattern, level in table.items()
        )
        return cls(overrides, source=str(path))
