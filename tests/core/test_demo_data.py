"""The demo data set: deterministic, valid codes, every status, the programs' item rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from stdnum import ean

from bench.demo_data import (
    DemoDataset,
    ScanHint,
    demo_dataset,
    gtin13,
    ups_tracking_number,
)
from bench.domain import (
    Answers,
    Condition,
    Disposition,
    Grade,
    InspectedItem,
    Outcome,
    ProgramKind,
    Request,
    RequestItem,
    RequestStatus,
    Role,
)
from bench.pins import valid_pin_format
from bench.policy import arrived_late, decide, older_than_limit, quote_expired

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def data() -> DemoDataset:
    return demo_dataset(TODAY)


def test_same_seed_same_data_other_seed_other_data(data: DemoDataset) -> None:
    assert demo_dataset(TODAY) == data
    other = demo_dataset(TODAY, seed=8)
    assert other != data
    assert [r.id for r in other.requests] == [r.id for r in data.requests]


def test_request_count_and_ids(data: DemoDataset) -> None:
    assert len(data.requests) == 300
    assert data.requests[0].id == "TI-000001"
    assert data.requests[-1].id == "TI-000300"
    assert len(demo_dataset(TODAY, request_count=20).requests) == 20
    with pytest.raises(ValueError, match="request_count must be at least 14, got 5"):
        demo_dataset(TODAY, request_count=5)


def test_programs(data: DemoDataset) -> None:
    by_code = {p.code: p for p in data.programs}
    assert set(by_code) == {"WYZE-TU", "WYZE-TC", "AMZ-GT3"}
    tu, tc, gt = by_code["WYZE-TU"], by_code["WYZE-TC"], by_code["AMZ-GT3"]
    assert (tu.kind, tu.max_items, tu.ineligible_disposition) == (
        ProgramKind.TRADE_UP, 1, Disposition.RECYCLE,
    )  # fmt: skip
    assert (tc.kind, tc.max_items, tc.ineligible_disposition) == (
        ProgramKind.TRADE_IN_CREDIT, 10, Disposition.RECYCLE,
    )  # fmt: skip
    assert (gt.kind, gt.max_items, gt.ineligible_disposition, gt.value_cap_cents, gt.brand) == (
        ProgramKind.GRADED, 1, Disposition.RETURN, 5500, "Amazfit",
    )  # fmt: skip
    for p in data.programs:
        assert (p.max_age_years, p.ship_window_days, p.quote_valid_days) == (4, 14, 14)
        assert p.revise_response_working_days == 5


def test_catalog_models_and_years(data: DemoDataset) -> None:
    by_sku = {m.sku: m for m in data.catalog}
    assert len(by_sku) == len(data.catalog) == 17  # 5 cameras x 2 Wyze programs + 7 watches
    assert by_sku["WYZE-PAN-V2"].released_on == date(2021, 1, 1)
    assert by_sku["WYZE-PAN-V2-TC"].program_code == "WYZE-TC"
    assert by_sku["WYZE-PAN-V2-TC"].gtins == by_sku["WYZE-PAN-V2"].gtins  # same product
    assert by_sku["WYZE-OUTDOOR-V1"].released_on.year == 2020
    assert by_sku["WYZE-BCP"].name == "Wyze Battery Cam Pro"
    assert by_sku["AMZ-BIP"].released_on.year == 2018
    assert {m.name for m in data.catalog if m.program_code == "AMZ-GT3"} == {
        "Amazfit Bip", "Amazfit GTR", "Amazfit GTR 2", "Amazfit GTS 2",
        "Amazfit GTR 3", "Amazfit GTR 3 Pro", "Amazfit GTS 3",
    }  # fmt: skip
    assert all(m.brand == "Amazfit" for m in data.catalog if m.program_code == "AMZ-GT3")


def test_every_gtin_is_a_gtin13_with_a_valid_check_digit(data: DemoDataset) -> None:
    gtins = [g for m in data.catalog for g in m.gtins]
    assert gtins
    for model in data.catalog:
        assert 1 <= len(model.gtins) <= 2
    for gtin in gtins:
        assert len(gtin) == 13
        assert ean.is_valid(gtin), gtin
        assert gtin[0] == "2"  # in-store range: never a real product's code
    assert gtin13("210010000021") == "2100100000219"


def test_ups_check_digit_matches_the_known_example() -> None:
    # UPS's published sample tracking number.
    assert ups_tracking_number("999AA1", "01", "2345678") == "1Z999AA10123456784"


def test_tracking_numbers_are_unique_ups_numbers(data: DemoDataset) -> None:
    numbers = [r.tracking_number for r in data.requests]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert number is not None
        assert re.fullmatch(r"1Z[0-9A-Z]{16}", number)
        assert ups_tracking_number(number[2:8], number[8:10], number[10:17]) == number


def test_every_status_is_present(data: DemoDataset) -> None:
    assert {r.status for r in data.requests} == set(RequestStatus)
    small = demo_dataset(TODAY, seed=1, request_count=14)
    assert {r.status for r in small.requests} == set(RequestStatus)


def test_items_per_request_follow_the_program(data: DemoDataset) -> None:
    counts: dict[str, set[int]] = {}
    for r in data.requests:
        counts.setdefault(r.program_code, set()).add(len(r.items))
    assert counts["WYZE-TU"] == {1}
    assert counts["AMZ-GT3"] == {1}
    assert max(counts["WYZE-TC"]) <= 10
    assert min(counts["WYZE-TC"]) >= 1
    assert len(counts["WYZE-TC"]) > 3  # multi-item requests of several sizes


def test_every_item_sku_is_in_the_catalog_of_its_request_program(data: DemoDataset) -> None:
    program_of = {m.sku: m.program_code for m in data.catalog}
    for r in data.requests:
        for n, item in enumerate(r.items, start=1):
            assert program_of[item.sku] == r.program_code
            assert item.request_id == r.id
            assert item.id == f"{r.id}-{n:02d}"


def test_some_items_are_older_than_four_years(data: DemoDataset) -> None:
    bought = [i.purchased_on for r in data.requests for i in r.items]
    four_years_ago = date(2022, 11, 29)
    assert sum(1 for d in bought if d is not None and d < four_years_ago) >= 20
    assert sum(1 for d in bought if d is not None and d >= four_years_ago) >= 20
    assert None in bought  # some customers did not say: the production date decides


def test_some_requests_are_past_the_ship_window_and_some_quotes_expired(
    data: DemoDataset,
) -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    in_transit = [r for r in data.requests if r.status is RequestStatus.IN_TRANSIT]
    assert any((now - r.created_at).days > 14 for r in in_transit)
    assert any((now - r.created_at).days <= 14 for r in in_transit)
    graded_quotes = [i.quoted_at for r in data.requests if r.program_code == "AMZ-GT3"
                     for i in r.items]  # fmt: skip
    assert any((now - q).days > 14 for q in graded_quotes)


def test_times_are_aware_and_in_the_past(data: DemoDataset) -> None:
    start_of_today = datetime(2026, 11, 29, tzinfo=UTC)
    for r in data.requests:
        assert r.created_at.tzinfo is not None
        assert r.created_at < start_of_today
        for item in r.items:
            assert item.quoted_at <= r.created_at


def test_money_is_positive_cents_and_graded_offers_respect_the_cap(data: DemoDataset) -> None:
    for r in data.requests:
        assert r.shipping_cost_cents > 0
        for item in r.items:
            assert isinstance(item.offer_cents, int)
            assert item.offer_cents > 0
            if r.program_code == "AMZ-GT3":
                assert item.offer_cents <= 5500


def test_declared_serials_are_unique_and_shaped_per_model(data: DemoDataset) -> None:
    serials = [(i.sku, i.declared_serial) for r in data.requests for i in r.items
               if i.declared_serial]  # fmt: skip
    assert len(serials) > 100
    assert len({s for _, s in serials}) == len(serials)
    prefixes = {"WYZE-PAN-V2": "WYZECP2", "WYZE-PAN-V2-TC": "WYZECP2", "AMZ-GTR2": "A1952"}
    for sku, serial in serials:
        if sku in prefixes:
            assert serial.startswith(prefixes[sku])
            assert re.fullmatch(r"[A-Z0-9]+", serial)


def test_inspectors_and_pins(data: DemoDataset) -> None:
    assert [(i.id, i.name, i.role) for i in data.inspectors] == [
        ("EMP-0001", "Ana Inspector", Role.INSPECTOR),
        ("EMP-0002", "Sam Supervisor", Role.SUPERVISOR),
        ("EMP-0003", "Lee Inspector", Role.INSPECTOR),
    ]
    assert dict(data.pins) == {"EMP-0001": "1234", "EMP-0002": "4321", "EMP-0003": "1111"}
    assert all(valid_pin_format(pin) for pin in data.pins.values())


def test_scan_hints_point_at_real_things(data: DemoDataset) -> None:
    requests = {r.id: r for r in data.requests}
    tracking = {r.tracking_number: r for r in data.requests}
    serials = {i.declared_serial: i for r in data.requests for i in r.items}
    gtins = {g for m in data.catalog for g in m.gtins}
    badges = {i.id for i in data.inspectors}
    codes = [h.code for h in data.scan_hints]
    assert len(codes) == len(set(codes))
    assert all(h.description for h in data.scan_hints)
    unknown_serials = []
    for code in codes:
        if code not in requests | tracking | serials and code not in gtins | badges:
            unknown_serials.append(code)
    # Exactly one hint is a code nobody declared: the device in the serial-mismatch parcel.
    assert len(unknown_serials) == 1
    assert unknown_serials[0].startswith("WYZECP2")
    assert "EMP-0001" in codes and "TI-000001" in codes
    assert any(c in tracking for c in codes)
    assert any(c in gtins for c in codes)
    assert any(c in serials for c in codes)


def test_scenario_requests(data: DemoDataset) -> None:
    r = {x.id: x for x in data.requests}
    assert r["TI-000001"].program_code == "WYZE-TU"
    assert r["TI-000001"].items[0].sku == "WYZE-PAN-V2"
    assert r["TI-000001"].status is RequestStatus.IN_TRANSIT
    assert len(r["TI-000002"].items) == 3
    too_old = r["TI-000003"].items[0].purchased_on
    assert too_old is not None and too_old < date(2021, 11, 29)
    assert r["TI-000005"].program_code == "AMZ-GT3"
    assert (TODAY - r["TI-000006"].created_at.date()).days == 21
    assert (TODAY - r["TI-000007"].items[0].quoted_at.date()).days == 18
    assert r["TI-000008"].status is RequestStatus.CANCELLED


# --- the hints say what the policy decides ------------------------------------------------

# What a hint can state about a device, in its own words: the grades the inspector may
# give (None: the one matching the declared condition, i.e. "no problems"; a hold holds
# whatever the grade), and what the policy must then decide. A hint with outcome words
# that match none of these fails: "quote expired, valued by year" did, for a held device.
STATEMENTS: list[tuple[str, tuple[Grade | None, ...], Outcome, Disposition | None]] = [
    ("answer no problems and it is accepted", (None,), Outcome.ACCEPT, Disposition.REFURBISH),
    ("rejected as too old, recycled", (None,), Outcome.REJECT, Disposition.RECYCLE),
    ("hold for review", (None, Grade.A), Outcome.HOLD, Disposition.HOLD),
    ("past the 14-day ship window", (None,), Outcome.HOLD, Disposition.HOLD),
    ("grade A keeps the quote", (Grade.A,), Outcome.ACCEPT, Disposition.REFURBISH),
    ("B or worse revises it", (Grade.B, Grade.C, Grade.D), Outcome.REVISE, None),
]
OUTCOME_WORDS = re.compile(r"accept|reject|hold|held|revis|keeps the quote|valued|expired|past")
AS_DECLARED = {
    Condition.LIKE_NEW: Grade.A,
    Condition.GOOD: Grade.B,
    Condition.FAIR: Grade.C,
    Condition.POOR: Grade.D,
}


def hinted_device(
    data: DemoDataset, hint: ScanHint
) -> tuple[Request, RequestItem, bool | None] | None:
    """The request and item a hint's scan puts on the bench, and whether the scanned
    serial matches the declared one; None for a badge or a parcel label."""
    requests = {r.id: r for r in data.requests}
    by_serial = {i.declared_serial: (r, i) for r in data.requests for i in r.items}
    if hint.code in by_serial:
        request, item = by_serial[hint.code]
        return request, item, True
    if hint.code in requests:
        request = requests[hint.code]
        if len(request.items) != 1 or request.status is RequestStatus.CANCELLED:
            return None
        item = request.items[0]
        return request, item, True if item.declared_serial else None
    named = re.search(r"TI-\d{6}", hint.description)
    if named is None:
        return None  # a badge
    request = requests[named.group()]
    gtin_skus = {m.sku for m in data.catalog if hint.code in m.gtins}
    if gtin_skus:
        (item,) = [i for i in request.items if i.sku in gtin_skus]
        return request, item, None
    if hint.code == request.tracking_number:
        return None
    (item,) = request.items  # a device whose serial nobody declared
    return request, item, False


@pytest.mark.parametrize(
    "today", [TODAY, date.today(), date(2027, 1, 4), date(2028, 2, 29)], ids=str
)
def test_every_hint_states_what_the_policy_decides(today: date) -> None:
    """Walk each hinted device through the policy as an inspector answering the hint's way
    would: the facts from the data (age, serial), no problems found, the hint's grade."""
    data = demo_dataset(today)
    programs = {p.code: p for p in data.programs}
    models = {m.sku: m for m in data.catalog}
    checked = 0
    for hint in data.scan_hints:
        said = [s for s in STATEMENTS if s[0] in hint.description]
        device = hinted_device(data, hint)
        if device is None or not said:
            assert not OUTCOME_WORDS.search(hint.description), f"{hint}: unchecked outcome"
            continue
        request, item, serial_matches = device
        policy, model = programs[request.program_code], models[item.sku]
        bought = item.purchased_on or model.released_on
        for words, grades, outcome, disposition in said:
            for grade in grades:
                graded = policy.kind is ProgramKind.GRADED
                answers = Answers(
                    model_listed=True,
                    older_than_limit=older_than_limit(policy, bought, today),
                    broken=False,
                    dirty=False,
                    factory_reset=True,
                    owned_outright=True,
                    serial_matches=serial_matches,
                    grade=(grade or AS_DECLARED[item.declared_condition]) if graded else None,
                )
                inspected = InspectedItem(item, request.created_at, model, model)
                decision = decide(policy, inspected, answers, today)
                assert decision.outcome is outcome, (hint.code, words, grade, decision)
                if disposition is not None:
                    assert decision.disposition is disposition, (hint.code, words, decision)
                checked += 1
    assert checked >= 9


def test_the_expired_graded_quote_is_held_for_that_reason() -> None:
    data = demo_dataset(TODAY)
    (hint,) = [h for h in data.scan_hints if h.code == "TI-000007"]
    assert "expired" in hint.description and "hold for review" in hint.description
    request = next(r for r in data.requests if r.id == "TI-000007")
    policy = next(p for p in data.programs if p.code == request.program_code)
    assert quote_expired(policy, request.items[0], TODAY)
    assert not arrived_late(policy, request, TODAY)  # graded: the quote is the time limit
