"""Scan classification: every kind of code the bench meets, by content, and garbage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from bench.commands import Command, command_from_code, command_sheet
from bench.scans import (
    GS,
    Classified,
    Scan,
    ScanKind,
    ScanSource,
    classify,
    classify_scan,
    describe,
    normalize_gtin,
    split_symbology,
)

K = ScanKind
TRACKING_TOO = (K.TRACKING_NUMBER,)

# IMEIs: a TAC + serial with the Luhn digit computed, so the test does not trust a copy.
IMEI_1 = "356938035643809"
IMEI_2 = "35332511234567" + luhn.calc_check_digit("35332511234567")
IMEI_3 = "49015420323751" + luhn.calc_check_digit("49015420323751")
BAD_LUHN = "356938035643808"  # IMEI_1 with its last digit off by one

GS1_RAW = "0109506000134352" + "10ABC123" + GS + "11231015" + "21SN42"
GS1_HRI = "(01)09506000134352(10)ABC123(11)231015(21)SN42"
GS1_FULL = Classified(
    kind=K.GS1,
    value=GS1_HRI,
    gtin="09506000134352",
    serial="SN42",
    production_date=date(2023, 10, 15),
    batch="ABC123",
)

NOT_A_CODE = (
    "Not a code the bench knows (request, tracking number, IMEI, barcode, serial, badge or "
    "command) — scan again"
)

CASES: list[tuple[str, str, Classified]] = [
    # --- IMEIs: 15 digits passing Luhn; a FedEx Ground number could look the same
    ("imei", IMEI_1, Classified(K.IMEI, IMEI_1, also=TRACKING_TOO)),
    ("imei-computed-1", IMEI_2, Classified(K.IMEI, "353325112345677", also=TRACKING_TOO)),
    ("imei-computed-2", IMEI_3, Classified(K.IMEI, "490154203237518", also=TRACKING_TOO)),
    ("imei-padded", f"  {IMEI_1}\r\n", Classified(K.IMEI, IMEI_1, also=TRACKING_TOO)),
    # 15 digits failing Luhn are not an IMEI: by precedence they are a FedEx tracking number
    ("15-digits-bad-luhn", BAD_LUHN, Classified(K.TRACKING_NUMBER, BAD_LUHN)),
    # --- GTIN / EAN / UPC with a correct check digit
    ("ean-13", "4006381333931", Classified(K.GTIN, "4006381333931", gtin="04006381333931")),
    (
        "upc-a",
        "036000291452",
        Classified(K.GTIN, "036000291452", gtin="00036000291452", also=TRACKING_TOO),
    ),
    ("ean-8", "96385074", Classified(K.GTIN, "96385074", gtin="00000096385074")),
    ("gtin-14", "09506000134352", Classified(K.GTIN, "09506000134352", gtin="09506000134352")),
    # wrong check digits: 12 digits -> FedEx Express; 13 and 8 digits -> just a serial
    ("upc-a-bad-check", "036000291453", Classified(K.TRACKING_NUMBER, "036000291453")),
    (
        "ean-13-bad-check",
        "4006381333932",
        Classified(K.SERIAL, "4006381333932", serial="4006381333932"),
    ),
    ("ean-8-bad-check", "96385075", Classified(K.SERIAL, "96385075", serial="96385075")),
    # --- GS1 element strings
    ("gs1-raw-with-gs", GS1_RAW, GS1_FULL),
    ("gs1-bracketed", GS1_HRI, GS1_FULL),
    (
        "gs1-bracketed-spaces",
        "(01) 09506000134352 (21) SN42",
        Classified(K.GS1, "(01)09506000134352(21)SN42", gtin="09506000134352", serial="SN42"),
    ),
    (
        "gs1-aim-prefix",
        "]C1" + "0109506000134352" + "21SN42",
        Classified(K.GS1, "(01)09506000134352(21)SN42", gtin="09506000134352", serial="SN42"),
    ),
    (
        "gs1-datamatrix-serial-only",
        "]d2" + "21SN42",
        Classified(K.GS1, "(21)SN42", serial="SN42"),
    ),
    # without a GS1 symbology the same text is just a serial
    ("serial-looks-like-ai-21", "21SN42", Classified(K.SERIAL, "21SN42", serial="21SN42")),
    # AI 01 with a wrong check digit does not parse as GS1 and falls through to serial
    (
        "gs1-raw-bad-check",
        "0109506000134353",
        Classified(K.SERIAL, "0109506000134353", serial="0109506000134353"),
    ),
    (
        "gs1-bracketed-bad-check",
        "(01)09506000134353",
        Classified(
            K.UNREADABLE,
            "(01)09506000134353",
            problem="The GS1 code could not be read (Invalid GTIN check digit for "
            "'09506000134353': Expected 2, got 3.) — scan again",
        ),
    ),
    (
        "gs1-bracketed-trailing-junk",
        "(01)09506000134352(99x)",
        Classified(
            K.UNREADABLE,
            "(01)09506000134352(99x)",
            problem="The GS1 code could not be read (not in (AI)value form) — scan again",
        ),
    ),
    # --- request ids, item ids, badges: upper-cased
    ("request-id", "TI-000123", Classified(K.REQUEST_ID, "TI-000123")),
    ("request-id-lowercase", "ti-000123", Classified(K.REQUEST_ID, "TI-000123")),
    ("request-id-long", "TI-1234567", Classified(K.REQUEST_ID, "TI-1234567")),
    ("item-id", "TI-000123-01", Classified(K.ITEM_ID, "TI-000123-01")),
    ("item-id-lowercase", "ti-000123-10", Classified(K.ITEM_ID, "TI-000123-10")),
    # fewer than 6 digits is not a request id: it is taken as a serial
    ("request-id-too-short", "TI-123", Classified(K.SERIAL, "TI-123", serial="TI-123")),
    ("badge", "EMP-0042", Classified(K.BADGE, "EMP-0042")),
    ("badge-lowercase", "emp-0042", Classified(K.BADGE, "EMP-0042")),
    # --- tracking numbers
    ("ups", "1Z999AA10123456784", Classified(K.TRACKING_NUMBER, "1Z999AA10123456784")),
    ("ups-lowercase", "1z999aa10123456784", Classified(K.TRACKING_NUMBER, "1Z999AA10123456784")),
    ("usps-22", "9400111899223344556677", Classified(K.TRACKING_NUMBER, "9400111899223344556677")),
    ("usps-20", "91234567890123456789", Classified(K.TRACKING_NUMBER, "91234567890123456789")),
    (
        "usps-label-420-zip",
        "42012345" + GS + "9400111899223344556677",
        Classified(K.TRACKING_NUMBER, "9400111899223344556677"),
    ),
    (
        "usps-label-420-zip9",
        "420123456789" + "9400111899223344556677",
        Classified(K.TRACKING_NUMBER, "9400111899223344556677"),
    ),
    # --- commands
    ("cmd-lowercase", "cmd:yes", Classified(K.COMMAND, "CMD:YES", command=Command.YES)),
    ("cmd-spaces", " CMD: GRADE-B ", Classified(K.COMMAND, "CMD:GRADE-B", command=Command.GRADE_B)),
    (
        "cmd-sheet",
        "CMD:SHEET",
        Classified(K.COMMAND, "CMD:SHEET", command=Command.PRINT_COMMAND_SHEET),
    ),
    (
        "cmd-unknown-lowercase",
        "cmd:maybe",
        Classified(
            K.UNREADABLE,
            "cmd:maybe",
            problem="Unknown command code cmd:maybe — scan one from the command sheet",
        ),
    ),
    (
        "cmd-unknown",
        "CMD:XYZ",
        Classified(
            K.UNREADABLE,
            "CMD:XYZ",
            problem="Unknown command code CMD:XYZ — scan one from the command sheet",
        ),
    ),
    # --- serials
    ("serial", "C02XK1ZJJG5H", Classified(K.SERIAL, "C02XK1ZJJG5H", serial="C02XK1ZJJG5H")),
    (
        "serial-punctuation",
        "SN-42_a.b/7",
        Classified(K.SERIAL, "SN-42_a.b/7", serial="SN-42_a.b/7"),
    ),
    ("serial-min", "AB12", Classified(K.SERIAL, "AB12", serial="AB12")),
    ("serial-max", "S" * 64, Classified(K.SERIAL, "S" * 64, serial="S" * 64)),
    # --- unreadable
    ("empty", "", Classified(K.UNREADABLE, "", problem="The scan was empty — scan again")),
    ("blank", " \r\n", Classified(K.UNREADABLE, "", problem="The scan was empty — scan again")),
    (
        "control-char",
        "TI-00\x070123",
        Classified(
            K.UNREADABLE,
            "TI-00\\x070123",
            problem="The scan contained control characters — scan again",
        ),
    ),
    (
        "tab-inside",
        "AB\tCD",
        Classified(
            K.UNREADABLE, "AB\\tCD", problem="The scan contained control characters — scan again"
        ),
    ),
    (
        "replacement-char",
        "35693\ufffd035643809",
        Classified(
            K.UNREADABLE,
            "35693\ufffd035643809",
            problem="The scanner sent bytes that could not be decoded — scan again",
        ),
    ),
    (
        "invisible-char",
        "AB\u200bCD",
        Classified(
            K.UNREADABLE,
            "AB\\u200bCD",
            problem="The scan contained invisible characters — scan again",
        ),
    ),
    (
        "too-long-for-serial",
        "S" * 65,
        Classified(
            K.UNREADABLE,
            "S" * 65,
            problem="Too long for a serial number (65 characters, at most 64) — scan again",
        ),
    ),
    (
        "too-long",
        "9" * 300,
        Classified(
            K.UNREADABLE,
            "9" * 79 + "…",
            problem="The scan was too long (300 characters) — scan again",
        ),
    ),
    (
        "too-short",
        "AB1",
        Classified(
            K.UNREADABLE, "AB1", problem="Too short to be a code (3 characters) — scan again"
        ),
    ),
    # look-alikes from outside ASCII are not codes, however case-folding would read them
    (
        "arabic-indic-digits",
        "٣٥٦٩٣٨٠٣٥٦٤٣٨٠٩",
        Classified(K.UNREADABLE, "٣٥٦٩٣٨٠٣٥٦٤٣٨٠٩", problem=NOT_A_CODE),
    ),
    (
        "kelvin-sign",
        "1Z999AA1012345678\u212a",
        Classified(K.UNREADABLE, "1Z999AA1012345678\u212a", problem=NOT_A_CODE),
    ),
    (
        "long-s-command",
        "cmd:\u017fkip",
        Classified(
            K.UNREADABLE,
            "cmd:\u017fkip",
            problem="Unknown command code cmd:\u017fkip — scan one from the command sheet",
        ),
    ),
    (
        "words",
        "hello world",
        Classified(
            K.UNREADABLE,
            "hello world",
            problem="Not a code the bench knows (request, tracking number, IMEI, barcode, "
            "serial, badge or command) — scan again",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify(text: str, expected: Classified) -> None:
    assert classify(text) == expected


@pytest.mark.parametrize("command", list(Command), ids=[c.name for c in Command])
def test_every_command_code_round_trips(command: Command) -> None:
    assert command_from_code(command.code) is command
    assert Command(command.code) is command
    assert classify(command.code) == Classified(K.COMMAND, command.code, command=command)
    assert classify(command.code.lower()).command is command


def test_command_codes_are_the_ones_on_the_sheet() -> None:
    sheet = command_sheet()
    assert len(sheet) == len(Command) == 25
    assert sheet[0] == ("CMD:YES", "Yes")
    assert ("CMD:GRADE-D", "Cosmetic grade D") in sheet
    assert ("CMD:DEFECT-NO-POWER", "Defect: no power") in sheet
    assert ("CMD:REASON-4", "Override reason 4") in sheet
    assert ("CMD:FACT-3", "Change fact 3 of what the data says") in sheet
    assert sheet[-2:] == [
        ("CMD:REPRINT", "Reprint the last label"),
        ("CMD:SHEET", "Print the command sheet"),
    ]
    assert all(code.startswith("CMD:") and label for code, label in sheet)


def test_unknown_code_is_not_a_command() -> None:
    assert command_from_code("CMD:MAYBE") is None
    assert command_from_code("YES") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("]C1" + "0109506000134352", ("]C1", "0109506000134352")),
        ("]E0" + "4006381333931", ("]E0", "4006381333931")),
        ("]d2" + "21SN42", ("]d2", "21SN42")),
        ("]Q3" + "TI-000123", ("]Q3", "TI-000123")),
        ("]e0" + "0109506000134352", ("]e0", "0109506000134352")),
        ("TI-000123", (None, "TI-000123")),
        ("]", (None, "]")),
    ],
    ids=["C1", "E0", "d2", "Q3", "e0", "none", "bracket-only"],
)
def test_split_symbology(text: str, expected: tuple[str | None, str]) -> None:
    assert split_symbology(text) == expected


def test_aim_prefix_is_not_part_of_the_value() -> None:
    assert classify("]E0" + "4006381333931") == classify("4006381333931")
    assert classify("]Q3" + "ti-000123") == Classified(K.REQUEST_ID, "TI-000123")


def test_classify_scan_uses_the_driver_reported_symbology() -> None:
    scan = Scan("21SN42", ScanSource.SERIAL, datetime(2026, 1, 5, 9, 0, tzinfo=UTC), "]d2")
    assert classify_scan(scan) == Classified(K.GS1, "(21)SN42", serial="SN42")
    plain = Scan("21SN42", ScanSource.WEDGE, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    assert classify_scan(plain).kind is K.SERIAL


def test_scan_needs_an_aware_time_and_keeps_it_in_utc() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Scan("TI-000123", ScanSource.KEYBOARD, datetime(2026, 1, 5, 9, 0))
    paris = timezone(timedelta(hours=1))
    aware = Scan("x", ScanSource.SIMULATED, datetime(2026, 1, 5, 10, 0, tzinfo=paris))
    assert aware.read_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert aware.read_at.tzinfo is UTC
    assert aware.symbology is None


def test_scan_now_is_utc() -> None:
    before = datetime.now(UTC)
    scan = Scan.now("TI-000123", ScanSource.WEDGE, symbology="]C0")
    assert scan.read_at.utcoffset() == timedelta(0)
    assert before <= scan.read_at <= datetime.now(UTC)
    assert scan.symbology == "]C0"


def test_normalize_gtin() -> None:
    assert normalize_gtin("036000291452") == "00036000291452"
    assert normalize_gtin("09506000134352") == "09506000134352"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("ti-000123", "Request TI-000123"),
        ("TI-000123-01", "Item TI-000123-01"),
        ("emp-0042", "Badge EMP-0042"),
        ("1Z999AA10123456784", "Tracking number 1Z999AA10123456784"),
        (IMEI_1, "IMEI 356938035643809"),
        ("4006381333931", "GTIN 4006381333931"),
        (GS1_RAW, "GS1 GTIN 09506000134352, serial SN42, batch ABC123, made 2023-10-15"),
        ("]d2" + "21SN42", "GS1 serial SN42"),
        ("CMD:YES", "Command YES"),
        ("cmd:grade-a", "Command GRADE-A"),
        ("C02XK1ZJJG5H", "Serial C02XK1ZJJG5H"),
        ("a\x07b", "Unreadable scan: The scan contained control characters — scan again"),
    ],
    ids=[
        "request", "item", "badge", "tracking", "imei", "gtin", "gs1", "gs1-serial-only",
        "command", "command-grade", "serial", "unreadable",
    ],
)  # fmt: skip
def test_describe(text: str, label: str) -> None:
    assert describe(classify(text)) == label


# --- properties ---------------------------------------------------------------------------

# Text biased toward the interesting edges: control characters, GS, digits, brackets, AIM ids.
_NASTY = st.text(
    alphabet=st.sampled_from("0123456789()\x1d\x00\x07\t\r\n ]CdQe-:ITEMPZ\ufffd\u200b\x7f\x85"),
    max_size=60,
)
_ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=300)


@pytest.mark.slow
@given(
    st.one_of(_ANY_TEXT, _NASTY, st.builds("01{}".format, _NASTY), st.builds("({}".format, _NASTY))
)
def test_classify_never_raises_and_unreadable_says_why(text: str) -> None:
    result = classify(text)
    assert isinstance(result.kind, ScanKind)
    if result.kind is K.UNREADABLE:
        assert result.problem
        assert describe(result).startswith("Unreadable scan: ")
    else:
        assert result.problem is None
        assert result.value


_WS = st.sampled_from(["", " ", "\r\n", "\t", "  \n"])


@pytest.mark.slow
@given(
    lead=_WS,
    trail=_WS,
    code=st.one_of(
        st.from_regex(r"[Tt][Ii]-[0-9]{6,12}", fullmatch=True),
        st.from_regex(r"[Tt][Ii]-[0-9]{6,12}-[0-9]{1,3}", fullmatch=True),
        st.from_regex(r"[Ee][Mm][Pp]-[0-9]{1,8}", fullmatch=True),
    ),
)
def test_ids_and_badges_classify_idempotently(lead: str, trail: str, code: str) -> None:
    first = classify(lead + code + trail)
    assert first.kind in (K.REQUEST_ID, K.ITEM_ID, K.BADGE)
    assert first.value == code.upper()
    assert classify(first.value) == first
