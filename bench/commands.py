"""The command codes an inspector scans from the printed sheet to drive the bench by
scanner alone, with what each one does in words (the sheet and the help screen)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Command(StrEnum):
    """Command codes printed on the command sheet; the value is the exact barcode text."""

    YES = "CMD:YES"
    NO = "CMD:NO"
    GRADE_A = "CMD:GRADE-A"
    GRADE_B = "CMD:GRADE-B"
    GRADE_C = "CMD:GRADE-C"
    GRADE_D = "CMD:GRADE-D"
    CONFIRM = "CMD:CONFIRM"
    CANCEL = "CMD:CANCEL"
    SKIP = "CMD:SKIP"
    BACK = "CMD:BACK"
    HELP = "CMD:HELP"
    LOGOUT = "CMD:LOGOUT"
    DEFECT_CRACKED = "CMD:DEFECT-CRACKED"
    DEFECT_NO_POWER = "CMD:DEFECT-NO-POWER"
    DEFECT_WATER = "CMD:DEFECT-WATER"
    DEFECT_MISSING_PARTS = "CMD:DEFECT-MISSING-PARTS"
    REASON_1 = "CMD:REASON-1"
    REASON_2 = "CMD:REASON-2"
    REASON_3 = "CMD:REASON-3"
    REASON_4 = "CMD:REASON-4"
    FACT_1 = "CMD:FACT-1"
    FACT_2 = "CMD:FACT-2"
    FACT_3 = "CMD:FACT-3"
    REPRINT = "CMD:REPRINT"
    PRINT_COMMAND_SHEET = "CMD:SHEET"

    @property
    def code(self) -> str:
        """The barcode text, e.g. ``CMD:GRADE-A``."""
        return self.value

    @property
    def label(self) -> str:
        """What the command does, in words, for the command sheet and the help screen."""
        return COMMAND_LABELS[self]


COMMAND_PREFIX = "CMD:"

COMMAND_LABELS: Mapping[Command, str] = {
    Command.YES: "Yes",
    Command.NO: "No",
    Command.GRADE_A: "Cosmetic grade A",
    Command.GRADE_B: "Cosmetic grade B",
    Command.GRADE_C: "Cosmetic grade C",
    Command.GRADE_D: "Cosmetic grade D",
    Command.CONFIRM: "Confirm",
    Command.CANCEL: "Cancel",
    Command.SKIP: "Skip",
    Command.BACK: "Back",
    Command.HELP: "Help",
    Command.LOGOUT: "Log out",
    Command.DEFECT_CRACKED: "Defect: cracked",
    Command.DEFECT_NO_POWER: "Defect: no power",
    Command.DEFECT_WATER: "Defect: water damage",
    Command.DEFECT_MISSING_PARTS: "Defect: missing parts",
    Command.REASON_1: "Override reason 1",
    Command.REASON_2: "Override reason 2",
    Command.REASON_3: "Override reason 3",
    Command.REASON_4: "Override reason 4",
    Command.FACT_1: "Change fact 1 of what the data says",
    Command.FACT_2: "Change fact 2 of what the data says",
    Command.FACT_3: "Change fact 3 of what the data says",
    Command.REPRINT: "Reprint the last label",
    Command.PRINT_COMMAND_SHEET: "Print the command sheet",
}

_COMMANDS_BY_CODE: Mapping[str, Command] = {command.value: command for command in Command}


def command_from_code(text: str) -> Command | None:
    """The command a code text stands for (any case, spaces ignored), or None if unknown."""
    if not text.isascii():
        # str.upper() maps e.g. the long s (U+017F) to "S": only a printed ASCII code counts.
        return None
    code = "".join(text.split()).upper()
    return _COMMANDS_BY_CODE.get(code)


def command_sheet() -> list[tuple[str, str]]:
    """Every command as (barcode text, label), in sheet order: the printed sheet and help."""
    return [(command.code, command.label) for command in Command]
