"""Errors and warnings about a workbook, each at a sheet and cell, worded from the catalogs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import Translator


@dataclass(frozen=True)
class Finding:
    """One problem: `where` is `Sheet!F14`, a sheet's name, or empty for the whole file."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Findings:
    """Collects errors (nothing is written while one remains) and warnings (never blocking)."""

    language: str
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def error(self, where: str, key: str, **values: object) -> None:
        self.errors.append(Finding(where, self._say(f"workbook.error.{key}", values)))

    def warn(self, where: str, key: str, **values: object) -> None:
        self.warnings.append(Finding(where, self._say(f"workbook.warning.{key}", values)))

    def _say(self, key: str, values: dict[str, object]) -> str:
        return Translator(self.language)(key, **COMMON, **values)


# Names that are the same in every language, filled in wherever a message uses them.
COMMON = {"xlsx": ".xlsx", "xlsm": ".xlsm", "examples": "<b>, **, __, `, [](), ---"}
