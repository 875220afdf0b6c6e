"""Realistic, deterministic demo data: the three programs of `seeds/`, their real models,
300 requests in every state, three inspectors with known PINs, and what to scan first.

`bench demo` and the tests need a warehouse's worth of data that exercises every rule
(too old, arrived late, quote expired, serial mismatch, graded revisions, multi-item
credit requests) without a portal to produce it. Everything here is a pure function of
`(today, seed, request_count)`: the same call always returns equal values, so a demo
script, a screenshot test and a bug report all see the same requests.

The models and their release years are real (see /work/shared/catalog-facts.md); only the
year is known, so `released_on` is January 1 of it. Every price (base values, offers,
shipping costs), every GTIN (taken from the 200-299 in-store range, which no real product
uses), every serial number and every tracking number is an invented demo value.

Over 400 lines because most of it is data: the catalog, and a builder per demo case.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from bench.domain import (
    CatalogModel,
    Condition,
    Disposition,
    Inspector,
    ProgramKind,
    ProgramPolicy,
    Request,
    RequestItem,
    RequestStatus,
    Role,
)

TRADE_UP: Final = "WYZE-TU"
TRADE_IN_CREDIT: Final = "WYZE-TC"
GRADED: Final = "AMZ-GT3"

# The warehouse's (invented) UPS shipper number and the service code of its prepaid
# return labels: every inbound label carries the same six characters after "1Z".
_UPS_SHIPPER: Final = "8Y7F42"
_UPS_SERVICE: Final = "90"


@dataclass(frozen=True)
class ScanHint:
    """A code worth scanning in the demo, and what the bench should do with it."""

    code: str
    description: str


@dataclass(frozen=True)
class DemoDataset:
    programs: tuple[ProgramPolicy, ...]
    catalog: tuple[CatalogModel, ...]
    requests: tuple[Request, ...]
    inspectors: tuple[Inspector, ...]
    pins: Mapping[str, str]  # inspector id -> PIN in clear: the demo shows them on screen
    scan_hints: tuple[ScanHint, ...]


def demo_programs() -> tuple[ProgramPolicy, ...]:
    """The three programs of seeds/: Wyze trade-up and trade-in credit, Amazfit graded.

    All three: 4 years maximum age, ship within 14 days, quotes valid 14 days, 5 working
    days to answer a revised quote.
    """
    return (
        # One old device for one new one, no stacking; ineligible items "cannot be returned".
        _program(TRADE_UP, "Wyze Trade-Up", ProgramKind.TRADE_UP, 1, Disposition.RECYCLE, "Wyze"),
        _program(
            TRADE_IN_CREDIT, "Wyze Trade-In Credit", ProgramKind.TRADE_IN_CREDIT, 10,
            Disposition.RECYCLE, "Wyze",
        ),
        # Any Amazfit watch, "up to $55"; an ineligible one is returned at no charge.
        _program(
            GRADED, "Amazfit GT 3 Series Trade-In", ProgramKind.GRADED, 1, Disposition.RETURN,
            "Amazfit", value_cap_cents=5500,
        ),
    )  # fmt: skip


def _program(
    code: str,
    name: str,
    kind: ProgramKind,
    max_items: int,
    ineligible: Disposition,
    brand: str,
    value_cap_cents: int | None = None,
) -> ProgramPolicy:
    return ProgramPolicy(
        code=code,
        name=name,
        kind=kind,
        max_items=max_items,
        max_age_years=4,
        ship_window_days=14,
        quote_valid_days=14,
        revise_response_working_days=5,
        ineligible_disposition=ineligible,
        value_cap_cents=value_cap_cents,
        brand=brand,
    )


@dataclass(frozen=True)
class _Model:
    """One real product: what the catalog rows of every program listing it share."""

    key: str  # sku stem
    brand: str
    name: str
    year: int
    base_value_cents: int  # demo value
    gtin_bodies: tuple[str, ...]  # 12 digits; the check digit is computed
    serial_prefix: str
    has_storage: bool


# GTIN bodies: "2" (in-store range) + brand digit + 3-digit model + 6-digit item reference.
# Cameras keep no user data on the device beyond Wi-Fi settings, which the reset clears;
# watches hold health data and notifications, so they are wiped ("has storage").
_WYZE: Final = (
    _Model("WYZE-PAN-V2", "Wyze", "Wyze Cam Pan v2", 2021, 1500, ("210010000021",),
           "WYZECP2", has_storage=False),
    _Model("WYZE-PAN-V3", "Wyze", "Wyze Cam Pan v3", 2022, 2200, ("210020000031",),
           "WYZECP3", has_storage=False),
    # The Outdoor cameras were sold alone and in a starter bundle: two GTINs each.
    _Model("WYZE-OUTDOOR-V1", "Wyze", "Wyze Cam Outdoor v1", 2020, 1800,
           ("210030000011", "210030000012"), "WYZECO1", has_storage=False),
    _Model("WYZE-OUTDOOR-V2", "Wyze", "Wyze Cam Outdoor v2", 2022, 2400,
           ("210040000021", "210040000022"), "WYZECO2", has_storage=False),
    _Model("WYZE-BCP", "Wyze", "Wyze Battery Cam Pro", 2023, 3500, ("210050000011",),
           "WYZEBCP", has_storage=False),
)  # fmt: skip
# Amazfit serial prefixes are the watches' model numbers (A1608 is the Bip, ...).
_AMAZFIT: Final = (
    _Model("AMZ-BIP", "Amazfit", "Amazfit Bip", 2018, 1200, ("220010000011",),
           "A1608", has_storage=True),
    _Model("AMZ-GTR", "Amazfit", "Amazfit GTR", 2019, 3000,
           ("220020000042", "220020000047"), "A1902", has_storage=True),
    _Model("AMZ-GTR2", "Amazfit", "Amazfit GTR 2", 2020, 4200, ("220030000011",),
           "A1952", has_storage=True),
    _Model("AMZ-GTS2", "Amazfit", "Amazfit GTS 2", 2020, 4000, ("220040000011",),
           "A1969", has_storage=True),
    _Model("AMZ-GTR3", "Amazfit", "Amazfit GTR 3", 2021, 6000, ("220050000011",),
           "A1971", has_storage=True),
    _Model("AMZ-GTR3PRO", "Amazfit", "Amazfit GTR 3 Pro", 2021, 7500, ("220060000011",),
           "A2040", has_storage=True),
    _Model("AMZ-GTS3", "Amazfit", "Amazfit GTS 3", 2021, 5500, ("220070000011",),
           "A2035", has_storage=True),
)  # fmt: skip
# The devices customers trade *up from*; the new products (Pan v3, Battery Cam Pro) are
# listed too, but show up in trade-up requests only rarely.
_TRADE_UP_FROM: Final = ("WYZE-PAN-V2", "WYZE-OUTDOOR-V1", "WYZE-OUTDOOR-V2")

# A trade-in credit offer is a little below the trade-up refund: the credit is the
# incentive there. Graded quotes scale with the condition the customer declared, by the
# graded policy's percent for the matching grade (A 100, B 80, C 55, D 30; broken 15).
_CREDIT_PERCENT: Final = 80
_GRADED_QUOTE_PERCENT: Final[Mapping[Condition, int]] = {
    Condition.LIKE_NEW: 100,
    Condition.GOOD: 80,
    Condition.FAIR: 55,
    Condition.POOR: 30,
    Condition.BROKEN: 15,
}

DEMO_INSPECTORS: Final = (
    Inspector("EMP-0001", "Ana Inspector", Role.INSPECTOR),
    Inspector("EMP-0002", "Sam Supervisor", Role.SUPERVISOR),
    Inspector("EMP-0003", "Lee Inspector", Role.INSPECTOR),
)
DEMO_PINS: Final[Mapping[str, str]] = {"EMP-0001": "1234", "EMP-0002": "4321", "EMP-0003": "1111"}


def gtin13(body12: str) -> str:
    """A 12-digit body plus its EAN-13 check digit."""
    from stdnum import ean  # not with the module: the station's CLI imports it at start

    return body12 + ean.calc_check_digit(body12)


def ups_tracking_number(shipper: str, service: str, reference: str) -> str:
    """ "1Z" + shipper (6) + service (2) + reference (7) + UPS check digit: 18 characters.

    The check digit is UPS's: letters count as (ord - 63) mod 10, every second character
    is doubled, and the digit brings the sum to a multiple of 10.
    """
    body = f"{shipper}{service}{reference}".upper()
    if len(body) != 15 or not body.isalnum():
        raise ValueError(f"a UPS tracking body is 15 letters or digits, got {body!r}")
    total = 0
    for i, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * 2 if i % 2 else value
    return f"1Z{body}{(10 - total % 10) % 10}"


def demo_catalog() -> tuple[CatalogModel, ...]:
    """One row per (program, model). Both Wyze programs list all five cameras, so each
    camera has two rows: `WYZE-PAN-V2` (trade-up) and `WYZE-PAN-V2-TC` (trade-in credit).

    Both rows carry the same GTINs: it is the same physical product. Code that resolves a
    scanned GTIN to a model must prefer the row of the request's program.
    """
    rows: list[CatalogModel] = []
    for program, suffix, models in (
        (TRADE_UP, "", _WYZE),
        (TRADE_IN_CREDIT, "-TC", _WYZE),
        (GRADED, "", _AMAZFIT),
    ):
        for m in models:
            base = m.base_value_cents
            if program == TRADE_IN_CREDIT:
                base = base * _CREDIT_PERCENT // 100
            rows.append(
                CatalogModel(
                    sku=m.key + suffix,
                    program_code=program,
                    brand=m.brand,
                    name=m.name,
                    released_on=date(m.year, 1, 1),
                    base_value_cents=base,
                    has_storage=m.has_storage,
                    gtins=tuple(gtin13(b) for b in m.gtin_bodies),
                )
            )
    return tuple(rows)


# --- requests -----------------------------------------------------------------------------

_CONDITIONS: Final = tuple(Condition)
_CONDITION_WEIGHTS: Final = (20, 40, 25, 10, 5)
_STATUSES: Final = tuple(RequestStatus)
_STATUS_WEIGHTS: Final = (10, 35, 15, 20, 12, 8)
# How long ago a request in each status was created, in days (inclusive range). In
# transit runs to 24 days so that some parcels arrive after the 14-day ship window.
_AGE_DAYS: Final[Mapping[RequestStatus, tuple[int, int]]] = {
    RequestStatus.SUBMITTED: (1, 4),
    RequestStatus.IN_TRANSIT: (1, 24),
    RequestStatus.RECEIVED: (1, 12),
    RequestStatus.INSPECTED: (8, 45),
    RequestStatus.CREDITED: (15, 90),
    RequestStatus.CANCELLED: (3, 60),
}
# Items per trade-in credit request: mostly a few, sometimes a drawer-full.
_CREDIT_ITEM_WEIGHTS: Final = (30, 22, 15, 10, 7, 5, 4, 3, 2, 2)


class _Builder:
    """Draws requests from one seeded RNG, keeping codes unique across the data set."""

    def __init__(self, today: date, seed: int, catalog: Sequence[CatalogModel]) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.by_sku = {m.sku: m for m in catalog}
        self.by_program: dict[str, list[CatalogModel]] = {}
        for m in catalog:
            self.by_program.setdefault(m.program_code, []).append(m)
        self.prefixes = {m.key + s: m.serial_prefix for m in _WYZE for s in ("", "-TC")}
        self.prefixes |= {m.key: m.serial_prefix for m in _AMAZFIT}
        self.programs = {p.code: p for p in demo_programs()}
        self.used_codes: set[str] = set()
        self.requests: list[Request] = []

    def at(self, days_ago: int) -> datetime:
        """A working-hours time `days_ago` days before today, in UTC."""
        moment = time(self.rng.randrange(7, 20), self.rng.randrange(60), self.rng.randrange(60))
        return datetime.combine(self.today - timedelta(days=days_ago), moment, UTC)

    def _fresh(self, draw: Callable[[], str]) -> str:
        """A code no other request, item or hint uses: scans must resolve to one thing."""
        while (code := draw()) in self.used_codes:
            pass
        self.used_codes.add(code)
        return code

    def tracking_number(self) -> str:
        return self._fresh(
            lambda: ups_tracking_number(
                _UPS_SHIPPER, _UPS_SERVICE, f"{self.rng.randrange(10**7):07d}"
            )
        )

    def customer_ref(self) -> str:
        return self._fresh(lambda: f"CUST-{self.rng.randrange(10**6):06d}")

    def serial(self, sku: str) -> str:
        return self._fresh(lambda: f"{self.prefixes[sku]}{self.rng.randrange(10**10):010d}")

    def purchase_date(self, model: CatalogModel, created: datetime) -> date:
        """Uniform between the model's release and the request: older models are often
        more than 4 years old, which is what the age rule is for."""
        latest = created.date() - timedelta(days=7)
        earliest = min(model.released_on, latest)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def offer(self, program: str, model: CatalogModel, condition: Condition, on: date) -> int:
        """The Offer Price the portal quoted.

        Wyze quotes one price per product. Amazfit quotes "based on the condition, year
        and configuration", so the demo quotes what the graded policy pays for the grade
        matching the declared condition (like new = A ... poor = D) in the year of the
        quote, rounded down to whole dollars: a watch graded as declared is not revised.
        """
        if program != GRADED:
            return model.base_value_cents
        policy = self.programs[GRADED]
        years = max(0, on.year - model.released_on.year)
        age_percent = max(0, 100 - policy.age_step_percent * years)
        quote = model.base_value_cents * _GRADED_QUOTE_PERCENT[condition] * age_percent // 10_000
        cap = policy.value_cap_cents or quote
        return max(min(quote, cap) // 100 * 100, 100)  # at least a dollar: "any condition"

    def add(
        self,
        program: str,
        status: RequestStatus,
        days_ago: int,
        skus: Sequence[str],
        *,
        conditions: Sequence[Condition] | None = None,
        purchased: Sequence[date | None] | None = None,
        serials: Sequence[bool] | None = None,
        quote_days_before: int | None = None,
    ) -> Request:
        """One request; anything not given is drawn from the RNG."""
        request_id = f"TI-{len(self.requests) + 1:06d}"
        created = self.at(days_ago)
        items: list[RequestItem] = []
        for n, sku in enumerate(skus):
            model = self.by_sku[sku]
            condition = (
                conditions[n]
                if conditions
                else self.rng.choices(_CONDITIONS, _CONDITION_WEIGHTS)[0]
            )
            if purchased is not None:
                bought = purchased[n]
            else:  # some customers do not know: the bench then reads the production date
                bought = None if self.rng.random() < 0.1 else self.purchase_date(model, created)
            with_serial = serials[n] if serials is not None else self.rng.random() < 0.6
            # Wyze quotes are instant on the portal; Amazfit emails a quote within three
            # business days, so a graded quote can be older than the request.
            if quote_days_before is not None:
                before = timedelta(days=quote_days_before)
            elif program == GRADED:
                before = timedelta(days=self.rng.randrange(4), hours=self.rng.randrange(8))
            else:
                before = timedelta(minutes=self.rng.randrange(2, 40))
            items.append(
                RequestItem(
                    id=f"{request_id}-{n + 1:02d}",
                    request_id=request_id,
                    sku=sku,
                    declared_condition=condition,
                    offer_cents=self.offer(program, model, condition, (created - before).date()),
                    quoted_at=created - before,
                    declared_serial=self.serial(sku) if with_serial else None,
                    purchased_on=bought,
                )
            )
        # Prepaid label: a base rate plus a little per extra device in the box.
        shipping = 699 + 120 * (len(items) - 1) + self.rng.randrange(0, 200, 10)
        request = Request(
            id=request_id,
            program_code=program,
            customer_ref=self.customer_ref(),
            created_at=created,
            shipping_cost_cents=shipping,
            status=status,
            tracking_number=self.tracking_number(),
            items=tuple(items),
        )
        self.requests.append(request)
        return request

    def add_random(self, status: RequestStatus) -> Request:
        program = self.rng.choices((TRADE_UP, TRADE_IN_CREDIT, GRADED), (45, 25, 30))[0]
        skus: list[str]
        if program == TRADE_UP:
            pool = [*_TRADE_UP_FROM] * 6 + [m.sku for m in self.by_program[TRADE_UP]]
            skus = [self.rng.choice(pool)]
        elif program == TRADE_IN_CREDIT:
            count = self.rng.choices(range(1, 11), _CREDIT_ITEM_WEIGHTS)[0]
            skus = [m.sku for m in self.rng.choices(self.by_program[TRADE_IN_CREDIT], k=count)]
        else:
            # Older watches are traded in far more often than the new GT 3 series.
            watches = self.by_program[GRADED]
            skus = [self.rng.choices(watches, (20, 25, 20, 20, 5, 5, 5))[0].sku]
        low, high = _AGE_DAYS[status]
        return self.add(program, status, self.rng.randint(low, high), skus)


def demo_dataset(today: date, seed: int = 7, request_count: int = 300) -> DemoDataset:
    """The demo warehouse as of `today`: a pure function of its arguments.

    The first requests are hand-made scenarios (see `scan_hints`); the rest are drawn
    from `random.Random(seed)`, and the first six of those take one status each so every
    status is present whatever the seed.
    """
    catalog = demo_catalog()
    b = _Builder(today, seed, catalog)
    # Every demo badge, from the inspectors seeded: the login screen lists them all.
    hints: list[ScanHint] = [
        ScanHint(i.id, f"{i.name}'s badge ({i.role.value}, PIN {DEMO_PINS[i.id]})")
        for i in DEMO_INSPECTORS
    ]
    transit = RequestStatus.IN_TRANSIT
    recent = today - timedelta(days=300)

    happy = b.add(TRADE_UP, transit, 3, ["WYZE-PAN-V2"], conditions=[Condition.GOOD],
                  purchased=[recent], serials=[True])  # fmt: skip
    hints += [
        ScanHint(happy.id, "a Wyze trade-up parcel (Pan v2 to Pan v3): opens the request"),
        ScanHint(
            _str(happy.items[0].declared_serial),
            f"the Pan v2 in {happy.id}: serial matches; answer no problems and it is accepted",
        ),
    ]

    credit = b.add(
        TRADE_IN_CREDIT, transit, 5, ["WYZE-OUTDOOR-V1-TC", "WYZE-OUTDOOR-V2-TC", "WYZE-PAN-V3-TC"],
        conditions=[Condition.GOOD, Condition.LIKE_NEW, Condition.FAIR],
        purchased=[today - timedelta(days=900), today - timedelta(days=500), recent],
        serials=[False, False, False],
    )  # fmt: skip
    hints += [
        ScanHint(
            _str(credit.tracking_number),
            f"the UPS label of {credit.id}, a trade-in credit parcel with 3 cameras",
        ),
        ScanHint(
            b.by_sku["WYZE-OUTDOOR-V2-TC"].gtins[1],
            f"the barcode on an Outdoor v2 box: matches item 2 of {credit.id} by GTIN",
        ),
    ]

    old = b.add(TRADE_UP, transit, 4, ["WYZE-OUTDOOR-V1"], conditions=[Condition.GOOD],
                purchased=[today - timedelta(days=5 * 365 + 40)], serials=[False])  # fmt: skip
    hints.append(
        ScanHint(old.id, "an Outdoor v1 bought over 5 years ago: rejected as too old, recycled")
    )

    mismatch = b.add(TRADE_UP, transit, 2, ["WYZE-PAN-V2"], conditions=[Condition.LIKE_NEW],
                     purchased=[recent], serials=[True])  # fmt: skip
    hints += [
        ScanHint(mismatch.id, "another Pan v2 trade-up, with a declared serial"),
        ScanHint(
            b.serial("WYZE-PAN-V2"),
            f"the Pan v2 actually in {mismatch.id}: another serial, so hold for review",
        ),
    ]

    graded = b.add(GRADED, transit, 3, ["AMZ-GTR2"], conditions=[Condition.LIKE_NEW],
                   purchased=[today - timedelta(days=700)], serials=[True])  # fmt: skip
    hints += [
        ScanHint(graded.id, "an Amazfit GTR 2 declared like new: graded at the bench"),
        ScanHint(
            _str(graded.items[0].declared_serial),
            "that GTR 2: grade A keeps the quote; B or worse revises it (5 working days)",
        ),
    ]

    late = b.add(TRADE_UP, transit, 21, ["WYZE-OUTDOOR-V2"], purchased=[recent])
    hints.append(ScanHint(late.id, "a trade-up sent 21 days ago: past the 14-day ship window"))

    bip = b.add(GRADED, transit, 2, ["AMZ-BIP"], conditions=[Condition.GOOD],
                purchased=[today - timedelta(days=6 * 365)], serials=[True],
                quote_days_before=16)  # fmt: skip
    # The graded program's time limit: the policy holds a device whose quote has expired
    # (at 6 years old the Bip would only be valued by year, never rejected for age).
    hints.append(ScanHint(bip.id, "an Amazfit Bip whose quote expired: hold for review"))

    cancelled = b.add(TRADE_IN_CREDIT, RequestStatus.CANCELLED, 9, ["WYZE-BCP-TC"])
    hints.append(ScanHint(cancelled.id, "a cancelled request: nothing to inspect"))

    minimum = len(b.requests) + len(_STATUSES)
    if request_count < minimum:
        raise ValueError(f"request_count must be at least {minimum}, got {request_count}")
    for status in _STATUSES:
        b.add_random(status)
    while len(b.requests) < request_count:
        b.add_random(b.rng.choices(_STATUSES, _STATUS_WEIGHTS)[0])

    return DemoDataset(
        programs=demo_programs(),
        catalog=catalog,
        requests=tuple(b.requests),
        inspectors=DEMO_INSPECTORS,
        pins=dict(DEMO_PINS),
        scan_hints=tuple(hints),
    )


def _str(value: str | None) -> str:
    """The scenarios above always set the value; this keeps mypy and readers sure of it."""
    if value is None:
        raise AssertionError("demo scenario without the code it was built for")
    return value
