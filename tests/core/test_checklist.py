"""The checklist state machine: order, pre-fills, overrides, skips, back, and replay."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.checklist import (
    NO,
    YES,
    Checklist,
    ChecklistError,
    DeviceFacts,
    OverrideNeedsReason,
    Question,
    prefills,
)
from bench.domain import AnswerSource, CatalogModel, Defect, InspectedItem, Reason
from bench.policy import brand_taken, decide
from tests.support.factories import demo_model, graded_program, request_item, trade_up_program

TODAY = date(2026, 11, 29)
AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
INSPECTOR = "EMP-0001"

TRADE_UP = trade_up_program()
GRADED = graded_program()
PAN_V2 = demo_model("WYZE-PAN-V2")  # listed for TRADE_UP
GTR = demo_model("AMZ-GTR")  # an Amazfit watch: what GRADED takes


def item_for(
    model: CatalogModel | None,
    declared: CatalogModel,
    serial: str | None = None,
    purchased_on: date | None = None,
) -> InspectedItem:
    item = request_item(
        "TI-000001-01", declared.sku, offer_cents=2000, quoted_at=AT,
        declared_serial=serial, purchased_on=purchased_on,
    )  # fmt: skip
    return InspectedItem(item, AT, declared, model)


def answer_all(checklist: Checklist, values: dict[Question, str]) -> None:
    while checklist.current is not None:
        checklist.answer(values[checklist.current], INSPECTOR, AT)


class TestOrderAndSkips:
    def test_trade_up_asks_the_design_order_without_grade(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial="WYZEC3P0001")
        assert checklist.questions == [
            Question.MODEL_LISTED,
            Question.SERIAL_MATCHES,
            Question.OLDER_THAN_LIMIT,
            Question.BROKEN,
            Question.DIRTY,
            Question.FACTORY_RESET,
            Question.OWNED_OUTRIGHT,
        ]

    def test_graded_asks_grade_and_skips_age_and_undeclared_serial(self) -> None:
        checklist = Checklist(GRADED, {}, declared_serial=None)
        assert Question.GRADE in checklist.questions
        assert Question.OLDER_THAN_LIMIT not in checklist.questions
        assert Question.SERIAL_MATCHES not in checklist.questions

    def test_broken_adds_defect_and_no_reset_adds_wipe(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial=None)
        answer_all(
            checklist,
            {
                Question.MODEL_LISTED: YES,
                Question.OLDER_THAN_LIMIT: NO,
                Question.BROKEN: YES,
                Question.DEFECT: Defect.CRACKED.value,
                Question.DIRTY: NO,
                Question.FACTORY_RESET: NO,
                Question.WIPED: YES,
                Question.OWNED_OUTRIGHT: YES,
            },
        )
        answers = checklist.to_answers()
        assert answers.broken and answers.defects == (Defect.CRACKED,)
        assert answers.factory_reset is False and answers.wiped is True
        assert answers.grade is None and answers.serial_matches is None

    def test_a_wrong_kind_of_answer_is_refused(self) -> None:
        checklist = Checklist(GRADED, {}, declared_serial=None)
        with pytest.raises(ChecklistError, match="does not answer"):
            checklist.answer("B", INSPECTOR, AT)  # a grade on a yes/no question


class TestPrefills:
    @pytest.mark.parametrize(
        ("model", "purchased_on", "device", "listed", "serial_matches", "too_old", "age"),
        [
            pytest.param(
                PAN_V2, date(2024, 5, 1), DeviceFacts("WYZEC3P0001", serial="wyzec3p0001"),
                YES, YES, NO, "2 years ago",
                id="listed_model_recent_purchase_and_matching_serial",
            ),
            pytest.param(
                None, date(2021, 6, 1), DeviceFacts("WYZEC3P9999", serial="WYZEC3P9999"),
                NO, NO, YES, "5 years ago",
                id="unknown_device_old_purchase_and_other_serial",
            ),
        ],
    )  # fmt: skip
    def test_model_serial_and_age_from_the_request_and_the_scan(
        self,
        model: CatalogModel | None,
        purchased_on: date,
        device: DeviceFacts,
        listed: str,
        serial_matches: str,
        too_old: str,
        age: str,
    ) -> None:
        found = prefills(
            TRADE_UP,
            item_for(model, PAN_V2, serial="WYZEC3P0001", purchased_on=purchased_on),
            device,
            TODAY,
        )
        assert found[Question.MODEL_LISTED].value == listed
        assert found[Question.SERIAL_MATCHES].value == serial_matches
        assert found[Question.OLDER_THAN_LIMIT].value == too_old
        assert age in found[Question.OLDER_THAN_LIMIT].why

    def test_production_date_answers_age_when_purchase_is_unknown(self) -> None:
        found = prefills(
            TRADE_UP,
            item_for(PAN_V2, PAN_V2),
            DeviceFacts("0109506000134352", production_date=date(2022, 12, 1)),
            TODAY,
        )
        assert found[Question.OLDER_THAN_LIMIT].value == NO
        assert Question.SERIAL_MATCHES not in found

    def test_graded_listing_is_by_brand(self) -> None:
        other = CatalogModel(
            sku="X-1", program_code="AMZ-GT3", brand="Garmin", name="Venu",
            released_on=date(2020, 1, 1), base_value_cents=5000, has_storage=True,
        )  # fmt: skip
        assert (
            prefills(GRADED, item_for(GTR, GTR), DeviceFacts("x"), TODAY)[
                Question.MODEL_LISTED
            ].value
            == YES
        )
        assert (
            prefills(GRADED, item_for(other, GTR), DeviceFacts("x"), TODAY)[
                Question.MODEL_LISTED
            ].value
            == NO
        )

    @settings(max_examples=200, deadline=None)
    @given(
        program_brand=st.one_of(st.none(), st.sampled_from(["Amazfit", " amazfit ", "AMAZFIT"])),
        model_brand=st.sampled_from(["Amazfit", "amazfit", "Garmin", " AMAZFIT"]),
    )
    def test_graded_prefill_agrees_with_the_policy_on_brand(
        self, program_brand: str | None, model_brand: str
    ) -> None:
        """Kept as pre-filled, the model answer never makes the policy reject the brand
        it takes (no brand takes any) nor take one it rejects."""
        program = dataclasses.replace(GRADED, brand=program_brand)
        model = dataclasses.replace(GTR, brand=model_brand)
        item = item_for(model, model)
        found = prefills(program, item, DeviceFacts("x"), TODAY)
        checklist = Checklist(program, found, declared_serial=None)
        answer_all(checklist, {q: found[q].value if q in found else _PLAIN[q] for q in Question})
        decided = decide(program, item, checklist.to_answers(), TODAY)
        taken = brand_taken(model_brand, program_brand)
        assert (found[Question.MODEL_LISTED].value == YES) is taken
        assert (Reason.OTHER_BRAND in decided.reasons) is not taken

    def test_a_graded_program_with_no_brand_takes_any_brand(self) -> None:
        found = prefills(
            dataclasses.replace(GRADED, brand=None), item_for(GTR, GTR), DeviceFacts("x"), TODAY
        )
        assert found[Question.MODEL_LISTED].value == YES
        assert "takes any brand" in found[Question.MODEL_LISTED].why


# Answers for the questions no data answers: a device with nothing wrong with it.
_PLAIN = {
    Question.MODEL_LISTED: YES,
    Question.SERIAL_MATCHES: YES,
    Question.OLDER_THAN_LIMIT: NO,
    Question.BROKEN: NO,
    Question.DIRTY: NO,
    Question.FACTORY_RESET: YES,
    Question.DEFECT: "cracked",
    Question.WIPED: YES,
    Question.GRADE: "A",
    Question.OWNED_OUTRIGHT: YES,
}


class TestOverrides:
    def make(self) -> Checklist:
        found = prefills(
            TRADE_UP, item_for(PAN_V2, PAN_V2, purchased_on=date(2021, 6, 1)),
            DeviceFacts("WYZEC3P0001"), TODAY,
        )  # fmt: skip
        return Checklist(TRADE_UP, found, declared_serial=None)

    def test_accepting_a_prefill_records_it_as_prefilled(self) -> None:
        checklist = self.make()
        record = checklist.accept_prefill(INSPECTOR, AT)
        assert record.source is AnswerSource.PREFILLED and record.value == YES

    def test_overriding_needs_a_reason_and_is_recorded_as_overridden(self) -> None:
        checklist = self.make()
        checklist.accept_prefill(INSPECTOR, AT)
        assert checklist.current is Question.OLDER_THAN_LIMIT
        with pytest.raises(OverrideNeedsReason, match="give a reason"):
            checklist.answer(NO, INSPECTOR, AT)
        assert checklist.current is Question.OLDER_THAN_LIMIT
        record = checklist.answer(NO, INSPECTOR, AT, reason="Supervisor instruction")
        assert record.source is AnswerSource.OVERRIDDEN
        assert record.reason == "Supervisor instruction"

    def test_a_question_without_prefill_cannot_be_skipped(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial=None)
        with pytest.raises(ChecklistError, match="no pre-filled answer"):
            checklist.accept_prefill(INSPECTOR, AT)


class TestBackAndResume:
    values: ClassVar[dict[Question, str]] = {
        Question.MODEL_LISTED: YES,
        Question.OLDER_THAN_LIMIT: NO,
        Question.BROKEN: NO,
        Question.DIRTY: YES,
        Question.FACTORY_RESET: YES,
        Question.OWNED_OUTRIGHT: YES,
    }

    def test_back_then_reanswer_changes_the_answer(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial=None)
        answer_all(checklist, self.values)
        assert checklist.complete and checklist.to_answers().dirty
        assert checklist.back() and checklist.current is Question.OWNED_OUTRIGHT
        assert checklist.back() and checklist.current is Question.FACTORY_RESET
        assert checklist.back() and checklist.current is Question.DIRTY
        checklist.answer(NO, INSPECTOR, AT)
        assert checklist.complete and not checklist.to_answers().dirty

    def test_back_at_the_first_question_stays(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial=None)
        assert not checklist.back()
        assert checklist.current is Question.MODEL_LISTED

    def test_replaying_records_resumes_at_the_same_question(self) -> None:
        checklist = Checklist(TRADE_UP, {}, declared_serial=None)
        for _ in range(3):
            assert checklist.current is not None
            checklist.answer(self.values[checklist.current], INSPECTOR, AT)
        resumed = Checklist(TRADE_UP, {}, declared_serial=None, records=checklist.records)
        assert resumed.current is Question.DIRTY
        assert resumed.position == checklist.position == (4, 6)
        answer_all(resumed, self.values)
        assert resumed.to_answers().dirty is True

    def test_unfinished_checklist_has_no_answers_yet(self) -> None:
        with pytest.raises(ChecklistError, match="not finished"):
            Checklist(TRADE_UP, {}, declared_serial=None).to_answers()
