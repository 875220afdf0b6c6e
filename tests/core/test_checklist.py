"""The checklist state machine: steps, pre-fills, overrides, skips, back, and replay."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.checklist import (
    NO,
    YES,
    Checklist,
    ChecklistError,
    DeviceFacts,
    OverrideNeedsReason,
    Prefill,
    Question,
    Step,
    prefills,
    valid_values,
)
from bench.domain import (
    Answers,
    AnswerSource,
    CatalogModel,
    Condition,
    Defect,
    Grade,
    InspectedItem,
    Outcome,
    ProgramKind,
    ProgramPolicy,
    Reason,
)
from bench.policy import brand_taken, decide
from tests.support.factories import (
    demo_model,
    graded_program,
    request_item,
    trade_in_credit_program,
    trade_up_program,
)

TODAY = date(2026, 11, 29)
AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
INSPECTOR = "EMP-0001"
REASON = "Supervisor instruction"

TRADE_UP = trade_up_program()
GRADED = graded_program()
PAN_V2 = demo_model("WYZE-PAN-V2")  # listed for TRADE_UP
GTR = demo_model("AMZ-GTR")  # an Amazfit watch: what GRADED takes
OTHER_BRAND = CatalogModel(
    sku="X-1", program_code="AMZ-GT3", brand="Garmin", name="Venu",
    released_on=date(2020, 1, 1), base_value_cents=5000, has_storage=True,
)  # fmt: skip

M, S, AGE = Question.MODEL_LISTED, Question.SERIAL_MATCHES, Question.OLDER_THAN_LIMIT
B, D, DI = Question.BROKEN, Question.DEFECT, Question.DIRTY
R, W, G, OW = Question.FACTORY_RESET, Question.WIPED, Question.GRADE, Question.OWNED_OUTRIGHT


def item_for(
    model: CatalogModel | None,
    declared: CatalogModel,
    serial: str | None = None,
    purchased_on: date | None = None,
    created_at: datetime = AT,
    condition: Condition = Condition.GOOD,
) -> InspectedItem:
    item = request_item(
        "TI-000001-01", declared.sku, offer_cents=2000, quoted_at=created_at,
        declared_serial=serial, purchased_on=purchased_on, declared_condition=condition,
    )  # fmt: skip
    return InspectedItem(item, created_at, declared, model)


def facts(**values: str) -> dict[Question, Prefill]:
    return {
        Question(name): Prefill(value, f"the data says {value}") for name, value in values.items()
    }


def checklist_for(
    policy: ProgramPolicy = TRADE_UP,
    inspected: InspectedItem | None = None,
    prefilled: dict[Question, Prefill] | None = None,
) -> Checklist:
    inspected = inspected or item_for(PAN_V2, PAN_V2)
    return Checklist(policy, inspected, prefilled or {}, TODAY)


def answer_all(checklist: Checklist, values: dict[Question, str]) -> None:
    """Keep the data's answers, answer each question asked with `values`."""
    while (step := checklist.current) is not None:
        if step.facts:
            checklist.keep(INSPECTOR, AT)
        else:
            checklist.answer(values[step.question], INSPECTOR, AT)


# Answers of a device with nothing wrong with it.
PLAIN = {M: YES, S: YES, AGE: NO, B: NO, D: "cracked", DI: NO, R: YES, W: YES, G: "A", OW: YES}
TYPICAL = facts(model_listed=YES, serial_matches=YES, older_than_limit=NO)


class TestSteps:
    def test_the_data_s_answers_are_one_step_then_a_question_a_step(self) -> None:
        checklist = checklist_for(inspected=item_for(PAN_V2, PAN_V2, serial="X"), prefilled=TYPICAL)
        assert checklist.steps == (
            Step((M, S, AGE), 1, facts=True),
            Step((B,), 2),
            Step((D,), 2),
            Step((DI,), 3),
            Step((R,), 4),
            Step((W,), 4),
            Step((OW,), 5),
        )
        assert checklist.position == (1, 5)

    def test_a_fact_the_data_does_not_answer_is_asked(self) -> None:
        # A serial was declared, but the scan carried none: it is read off the device.
        checklist = checklist_for(
            inspected=item_for(PAN_V2, PAN_V2, serial="X"),
            prefilled=facts(model_listed=YES, older_than_limit=NO),
        )
        assert [s.questions for s in checklist.steps if not s.follow_up] == [
            (M, AGE), (S,), (B,), (DI,), (R,), (OW,),
        ]  # fmt: skip
        checklist.keep(INSPECTOR, AT)
        assert checklist.current == Step((S,), 2)

    def test_graded_asks_grade_and_no_age(self) -> None:
        checklist = checklist_for(
            GRADED, item_for(GTR, GTR), facts(model_listed=YES, older_than_limit=NO)
        )
        assert checklist.prefilled.keys() == {M}  # a graded program asks no age
        assert G in checklist.questions and AGE not in checklist.questions
        assert S not in checklist.questions  # no serial declared
        assert checklist.total == 6

    def test_broken_adds_defect_and_no_reset_adds_wipe_under_the_same_numbers(self) -> None:
        checklist = checklist_for(GRADED, item_for(GTR, GTR), facts(model_listed=YES))
        checklist.keep(INSPECTOR, AT)
        seen = []
        for value in (YES, "cracked", NO, NO, YES, "B", YES):
            assert checklist.current is not None
            seen.append((checklist.current.question, checklist.position))
            checklist.answer(value, INSPECTOR, AT)
        assert seen == [
            (B, (2, 6)), (D, (2, 6)), (DI, (3, 6)), (R, (4, 6)), (W, (4, 6)), (G, (5, 6)),
            (OW, (6, 6)),
        ]  # fmt: skip
        answers = checklist.to_answers()
        assert answers.broken and answers.defects == (Defect.CRACKED,)
        assert answers.factory_reset is False and answers.wiped is True
        assert answers.grade is Grade.B and answers.serial_matches is None

    def test_a_wrong_kind_of_answer_is_refused(self) -> None:
        checklist = checklist_for(GRADED, item_for(GTR, GTR), facts(model_listed=YES))
        with pytest.raises(ChecklistError, match="Not a question"):
            checklist.answer(YES, INSPECTOR, AT)  # the facts are kept, not answered
        checklist.keep(INSPECTOR, AT)
        with pytest.raises(ChecklistError, match="does not answer"):
            checklist.answer("B", INSPECTOR, AT)  # a grade on a yes/no question


class TestPrefills:
    @pytest.mark.parametrize(
        ("model", "purchased_on", "device", "listed", "serial_matches", "too_old", "age"),
        [
            pytest.param(
                PAN_V2, date(2024, 5, 1), DeviceFacts("WYZEC3P0001", serial="wyzec3p0001"),
                YES, YES, NO, "purchased 2024-05-01, 2 years ago",
                id="listed_model_recent_purchase_and_matching_serial",
            ),
            pytest.param(
                None, date(2021, 6, 1), DeviceFacts("WYZEC3P9999", serial="WYZEC3P9999"),
                NO, NO, YES, "purchased 2021-06-01, 5 years ago",
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
        assert found[M].value == listed
        assert found[S].value == serial_matches
        assert found[AGE].value == too_old
        assert found[AGE].why == age

    @pytest.mark.parametrize(
        ("bought", "said"),
        [
            pytest.param(date(2025, 11, 28), "1 year ago", id="one_year"),
            pytest.param(date(2026, 3, 1), "less than a year ago", id="months"),
            pytest.param(TODAY, "less than a year ago", id="today"),
            pytest.param(date(2027, 1, 5), "a date after today", id="after_today"),
        ],
    )
    def test_how_long_ago_is_said_as_a_person_says_it(self, bought: date, said: str) -> None:
        found = prefills(
            TRADE_UP, item_for(PAN_V2, PAN_V2, purchased_on=bought), DeviceFacts("x"), TODAY
        )
        assert found[AGE].why == f"purchased {bought.isoformat()}, {said}"

    def test_the_age_question_says_1_year(self) -> None:
        from bench.checklist import fact_label, prompt

        one = dataclasses.replace(TRADE_UP, max_age_years=1)
        assert prompt(AGE, one) == "Was it bought more than 1 year ago?"
        assert fact_label(AGE, one) == "Over 1 year old"

    def test_production_date_answers_age_when_purchase_is_unknown(self) -> None:
        found = prefills(
            TRADE_UP,
            item_for(PAN_V2, PAN_V2),
            DeviceFacts("0109506000134352", production_date=date(2022, 12, 1)),
            TODAY,
        )
        assert found[AGE].value == NO
        assert found[AGE].why == "produced 2022-12-01, 3 years ago"
        assert S not in found

    def test_graded_listing_is_by_brand_with_the_model_s_real_name(self) -> None:
        taken = prefills(GRADED, item_for(GTR, GTR), DeviceFacts("x"), TODAY)[M]
        refused = prefills(GRADED, item_for(OTHER_BRAND, GTR), DeviceFacts("x"), TODAY)[M]
        assert taken.value == YES and refused.value == NO
        assert taken.why.startswith("Amazfit GTR: the program takes Amazfit")
        assert "Amazfit Amazfit" not in taken.why
        assert refused.why.startswith("Garmin Venu: the program takes Amazfit")

    def test_a_presumed_model_says_whether_a_scan_or_a_hand_pick_left_it_unnamed(self) -> None:
        scanned = prefills(TRADE_UP, item_for(PAN_V2, PAN_V2), DeviceFacts("SN1"), TODAY)[M]
        picked = prefills(TRADE_UP, item_for(PAN_V2, PAN_V2), DeviceFacts(""), TODAY)[M]
        assert scanned.why.endswith("(declared; the scan carries no model)")
        assert picked.why.endswith("(declared; picked by hand)")

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
        checklist = Checklist(program, item, found, TODAY)
        answer_all(checklist, PLAIN)
        decided = decide(program, item, checklist.to_answers(), TODAY)
        taken = brand_taken(model_brand, program_brand)
        assert (found[M].value == YES) is taken
        assert (Reason.OTHER_BRAND in decided.reasons) is not taken

    def test_a_graded_program_with_no_brand_takes_any_brand(self) -> None:
        found = prefills(
            dataclasses.replace(GRADED, brand=None), item_for(GTR, GTR), DeviceFacts("x"), TODAY
        )
        assert found[M].value == YES
        assert "takes any brand" in found[M].why


class TestFacts:
    def make(self) -> Checklist:
        return checklist_for(inspected=item_for(PAN_V2, PAN_V2, serial="X"), prefilled=TYPICAL)

    def test_one_keep_records_each_fact_as_prefilled(self) -> None:
        checklist = self.make()
        records = checklist.keep(INSPECTOR, AT)
        assert [(r.question, r.value, r.source) for r in records] == [
            ("model_listed", YES, AnswerSource.PREFILLED),
            ("serial_matches", YES, AnswerSource.PREFILLED),
            ("older_than_limit", NO, AnswerSource.PREFILLED),
        ]
        assert checklist.current == Step((B,), 2)

    def test_changing_a_fact_needs_a_reason_and_stays_on_the_facts(self) -> None:
        checklist = self.make()
        with pytest.raises(OverrideNeedsReason, match="The data says YES"):
            checklist.change_fact(1, INSPECTOR, AT)
        assert checklist.records == ()
        record = checklist.change_fact(1, INSPECTOR, AT, reason=REASON)
        assert (record.question, record.value, record.source, record.reason) == (
            "serial_matches", NO, AnswerSource.OVERRIDDEN, REASON,
        )  # fmt: skip
        assert checklist.current is not None and checklist.current.facts  # two still to keep
        # Back to the data's answer: no reason needed, recorded as the data's.
        again = checklist.change_fact(1, INSPECTOR, AT)
        assert (again.value, again.source) == (YES, AnswerSource.PREFILLED)
        assert [r.question for r in checklist.keep(INSPECTOR, AT)] == [
            "model_listed",
            "older_than_limit",
        ]

    def test_no_such_fact(self) -> None:
        with pytest.raises(ChecklistError, match="no such fact"):
            self.make().change_fact(3, INSPECTOR, AT)

    def test_a_question_without_prefill_cannot_be_kept(self) -> None:
        checklist = checklist_for()
        assert not checklist.can_keep
        with pytest.raises(ChecklistError, match="no pre-filled answer"):
            checklist.keep(INSPECTOR, AT)

    def test_take_back_undoes_the_whole_step(self) -> None:
        checklist = self.make()
        checklist.keep(INSPECTOR, AT)
        checklist.take_back()
        assert checklist.records == ()
        assert checklist.current is not None and checklist.current.facts


class TestSkipping:
    """Once nothing can be paid, what cannot change the outcome is not asked."""

    def test_a_model_not_listed_skips_broken_and_dirty_but_not_reset_or_owned(self) -> None:
        checklist = checklist_for(prefilled=facts(model_listed=NO, older_than_limit=NO))
        checklist.keep(INSPECTOR, AT)
        assert checklist.skipped == {B, D, DI}
        # Not owned turns a reject into a hold (suspected fraud): still asked.
        assert checklist.current == Step((R,), 4)
        assert checklist.skipped_numbers == [2, 3]
        checklist.answer(NO, INSPECTOR, AT)
        assert checklist.current == Step((W,), 4)  # the wipe, always
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.current == Step((OW,), 5)
        checklist.answer(YES, INSPECTOR, AT)
        decided = decide(TRADE_UP, checklist.inspected, checklist.to_answers(), TODAY)
        assert (decided.outcome, decided.reasons) == (
            Outcome.REJECT, (Reason.MODEL_NOT_LISTED, Reason.WIPED_AT_BENCH),
        )  # fmt: skip

    def test_a_serial_mismatch_holds_and_only_the_reset_is_asked(self) -> None:
        checklist = checklist_for(
            inspected=item_for(PAN_V2, PAN_V2, serial="X"),
            prefilled=facts(model_listed=YES, serial_matches=NO, older_than_limit=NO),
        )
        checklist.keep(INSPECTOR, AT)
        assert checklist.skipped == {B, D, DI, OW}
        assert checklist.current == Step((R,), 4) and checklist.skipped_numbers == [2, 3, 5]
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.complete
        assert (
            decide(TRADE_UP, checklist.inspected, checklist.to_answers(), TODAY).outcome
            is Outcome.HOLD
        )

    def test_a_parcel_that_arrived_late_asks_only_the_reset(self) -> None:
        late = item_for(PAN_V2, PAN_V2, created_at=AT - timedelta(days=21))
        checklist = checklist_for(
            inspected=late, prefilled=facts(model_listed=YES, older_than_limit=NO)
        )
        assert checklist.current == Step((R,), 4)
        assert checklist.skipped_numbers == [1, 2, 3, 5]
        assert not checklist.back()  # nothing asked before it

    def test_broken_on_a_trade_up_skips_the_defect_and_dirty(self) -> None:
        checklist = checklist_for(prefilled=facts(model_listed=YES, older_than_limit=NO))
        checklist.keep(INSPECTOR, AT)
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.skipped == {D, DI}
        assert checklist.current == Step((R,), 4)

    def test_broken_on_a_graded_program_revises_so_everything_is_asked(self) -> None:
        checklist = checklist_for(GRADED, item_for(GTR, GTR), facts(model_listed=YES))
        checklist.keep(INSPECTOR, AT)
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.skipped == frozenset()
        assert checklist.current == Step((D,), 2)

    def test_another_brand_on_a_graded_program_skips_grade_and_owned(self) -> None:
        # The inspector's reading, say; a device of another brand than the declared one
        # is a wrong item, held from the start.
        checklist = checklist_for(GRADED, item_for(GTR, GTR), facts(model_listed=NO))
        checklist.keep(INSPECTOR, AT)
        assert checklist.skipped == {B, D, DI, G, OW}
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.complete
        assert checklist.to_answers().grade is Grade.A  # counts as finding nothing
        assert checklist.value(G) is None  # but none was given

    def test_going_back_to_change_an_answer_asks_what_it_skipped(self) -> None:
        checklist = checklist_for(prefilled=facts(model_listed=YES, older_than_limit=NO))
        checklist.keep(INSPECTOR, AT)
        checklist.answer(YES, INSPECTOR, AT)  # broken: dirty is skipped
        assert checklist.current == Step((R,), 4)
        assert checklist.back() and checklist.current == Step((B,), 2)  # over the skipped
        checklist.answer(NO, INSPECTOR, AT)
        assert checklist.skipped == frozenset()
        assert checklist.current == Step((DI,), 3)


class TestBackAndResume:
    def test_back_then_reanswer_changes_the_answer(self) -> None:
        checklist = checklist_for()
        answer_all(checklist, PLAIN)
        assert checklist.complete and not checklist.to_answers().dirty
        assert checklist.back() and checklist.current == Step((OW,), 6)
        assert checklist.back() and checklist.current == Step((R,), 5)
        assert checklist.back() and checklist.current == Step((DI,), 4)
        checklist.answer(YES, INSPECTOR, AT)
        assert checklist.complete and checklist.to_answers().dirty

    def test_keep_on_an_answered_step_moves_on_without_a_record(self) -> None:
        checklist = checklist_for(prefilled=TYPICAL)
        answer_all(checklist, PLAIN)
        count = len(checklist.records)
        assert checklist.back() and checklist.can_keep
        assert checklist.keep(INSPECTOR, AT) == ()
        assert checklist.complete and len(checklist.records) == count

    def test_back_at_the_first_question_stays(self) -> None:
        checklist = checklist_for()
        assert not checklist.back()
        assert checklist.current == Step((M,), 1)

    def test_the_last_answer_before_the_current_step_is_never_a_later_one(self) -> None:
        checklist = checklist_for(prefilled=facts(model_listed=YES, older_than_limit=NO))
        checklist.keep(INSPECTOR, AT)
        checklist.answer(NO, INSPECTOR, AT)  # broken
        checklist.answer(NO, INSPECTOR, AT)  # dirty
        last = checklist.last_before_current()
        assert last is not None and last.question == "dirty"
        checklist.back()  # to dirty
        checklist.back()  # to broken
        last = checklist.last_before_current()
        assert last is not None and last.question == "older_than_limit"

    def test_replaying_records_resumes_at_the_same_step(self) -> None:
        checklist = checklist_for(prefilled=TYPICAL)
        checklist.keep(INSPECTOR, AT)
        checklist.answer(NO, INSPECTOR, AT)
        resumed = Checklist(
            TRADE_UP, checklist.inspected, TYPICAL, TODAY, records=checklist.records
        )
        assert resumed.current == checklist.current == Step((DI,), 3)
        assert resumed.position == (3, 5)
        answer_all(resumed, {**PLAIN, DI: YES})
        assert resumed.to_answers().dirty is True

    def test_unfinished_checklist_has_no_answers_yet(self) -> None:
        with pytest.raises(ChecklistError, match="not finished"):
            checklist_for().to_answers()


# -- the property: skipping never changes what the policy decides -----------------------

PROGRAMS = (TRADE_UP, trade_in_credit_program(), GRADED)


@st.composite
def inspections(draw: st.DrawFn) -> tuple[ProgramPolicy, InspectedItem, dict[Question, Prefill]]:
    """Any program, any item (late, quote expired, wrong or unknown device...), any of the
    facts pre-filled either way."""
    policy = draw(st.sampled_from(PROGRAMS))
    graded = policy.kind is ProgramKind.GRADED
    declared = GTR if graded else PAN_V2
    model = draw(
        st.sampled_from([declared, None, OTHER_BRAND if graded else demo_model("WYZE-BCP")])
    )
    inspected = item_for(
        model,
        declared,
        serial=draw(st.sampled_from([None, "X"])),
        created_at=AT - timedelta(days=draw(st.sampled_from([0, 3, 20]))),
        condition=draw(st.sampled_from(list(Condition))),
    )
    prefilled = {
        q: Prefill(draw(st.sampled_from([YES, NO])), "data")
        for q in (M, S, AGE)
        if draw(st.booleans())
    }
    return policy, inspected, prefilled


def full_answers(values: dict[Question, str], kind: ProgramKind, serial: bool) -> Answers:
    """The full checklist's answers, written out from the policy's fields alone."""
    broken, reset = values[B] == YES, values[R] == YES
    return Answers(
        model_listed=values[M] == YES,
        older_than_limit=kind is not ProgramKind.GRADED and values[AGE] == YES,
        broken=broken,
        dirty=values[DI] == YES,
        factory_reset=reset,
        owned_outright=values[OW] == YES,
        serial_matches=values[S] == YES if serial else None,
        defects=(Defect(values[D]),) if broken else (),
        wiped=None if reset else values[W] == YES,
        grade=Grade(values[G]) if kind is ProgramKind.GRADED else None,
    )


class TestSkippingNeverChangesTheDecision:
    # A draw per step is the test: the smallest example is a whole checklist.
    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.large_base_example]
    )
    @given(inspection=inspections(), data=st.data())
    def test_the_decision_equals_the_full_checklist_s_whatever_the_skipped_answers(
        self,
        inspection: tuple[ProgramPolicy, InspectedItem, dict[Question, Prefill]],
        data: st.DataObject,
    ) -> None:
        policy, inspected, prefilled = inspection
        checklist = Checklist(policy, inspected, prefilled, TODAY)
        total = checklist.total
        backs = 0
        while (step := checklist.current) is not None:
            assert checklist.position[1] == total  # never changes halfway
            if backs < 3 and data.draw(st.integers(0, 9)) == 9:  # now and then
                backs += checklist.back()
            elif step.facts:
                for index in data.draw(
                    st.lists(st.integers(0, len(step.questions) - 1), max_size=2)
                ):
                    if checklist.current == step:  # changing the last one moves on
                        checklist.change_fact(index, INSPECTOR, AT, reason=REASON)
                if checklist.current == step:
                    checklist.keep(INSPECTOR, AT)
            else:
                value = data.draw(st.sampled_from(valid_values(step.question)))
                checklist.answer(value, INSPECTOR, AT)

        # Whatever the skipped questions would have been answered, the full checklist
        # decides the same outcome, value and disposition; its reasons include ours.
        values = {
            q: checklist.value(q) or data.draw(st.sampled_from(valid_values(q))) for q in Question
        }
        full = decide(
            policy,
            inspected,
            full_answers(values, policy.kind, bool(inspected.item.declared_serial)),
            TODAY,
        )
        ours = decide(policy, inspected, checklist.to_answers(), TODAY)
        assert (ours.outcome, ours.final_cents, ours.disposition) == (
            full.outcome, full.final_cents, full.disposition,
        )  # fmt: skip
        assert set(ours.reasons) <= set(full.reasons)
        # Factory reset and the wipe are always answered: the record needs them.
        assert checklist.value(R) is not None
        assert (checklist.value(W) is not None) is (checklist.value(R) == NO)
        # Replaying the records gives the same checklist (resuming after a crash).
        replayed = Checklist(policy, inspected, prefilled, TODAY, records=checklist.records)
        assert replayed.complete and replayed.to_answers() == checklist.to_answers()
