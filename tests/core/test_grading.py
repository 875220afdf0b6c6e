"""Second gradings (`bench.grading`): which inspections are picked, and the agreement
figures, against values worked out by hand."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.grading import (
    OUTCOME,
    Graded,
    Grader,
    GradingPair,
    agreement,
    cohen_kappa,
    latest_answers,
    picked_for_second_grading,
)


def pair(item: str, first: dict[str, str], second: dict[str, str], *,
         firsts: str = "EMP-0001", seconds: str = "EMP-0002",
         outcomes: tuple[str, str] = ("accept", "accept")) -> GradingPair:  # fmt: skip
    return GradingPair(
        item,
        Graded(f"{item}-a", firsts, first, outcomes[0], 1500),
        Graded(f"{item}-b", seconds, second, outcomes[1], 1500),
    )


class TestPicking:
    def test_the_first_eight_hex_digits_decide(self) -> None:
        assert picked_for_second_grading("0ccccccc-0000-4000-8000-000000000000", 0.05)
        assert not picked_for_second_grading("0ccccccd-0000-4000-8000-000000000000", 0.05)
        # 0x0ccccccc / 2^32 = 0.04999999981; 0x0ccccccd is just over 0.05.

    def test_none_at_zero_and_every_one_at_one(self) -> None:
        assert not picked_for_second_grading("00000000-0000-4000-8000-000000000000", 0.0)
        assert picked_for_second_grading("ffffffff-ffff-4fff-bfff-ffffffffffff", 1.0)

    def test_about_the_share_of_random_ids_is_picked(self) -> None:
        picked = sum(picked_for_second_grading(str(uuid.uuid4()), 0.05) for _ in range(20_000))
        assert 800 < picked < 1200  # 1000 expected; 5 standard deviations either side


class TestKappa:
    def test_yes_no_by_hand(self) -> None:
        # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: observed 0.7; chance
        # (25·30 + 25·20) / 50² = 0.5; kappa (0.7 - 0.5) / (1 - 0.5) = 0.4.
        answers = (
            [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10
            + [("no", "no")] * 15
        )  # fmt: skip
        assert cohen_kappa(answers) == pytest.approx(0.4)

    def test_grades_by_hand(self) -> None:
        # A/A, B/B, B/C, C/C: observed 3/4; chance (1·1 + 2·1 + 1·2) / 16 = 5/16;
        # kappa (12/16 - 5/16) / (11/16) = 7/11.
        answers = [("A", "A"), ("B", "B"), ("B", "C"), ("C", "C")]
        assert cohen_kappa(answers) == pytest.approx(7 / 11)

    def test_always_opposite_is_minus_one(self) -> None:
        assert cohen_kappa([("yes", "no"), ("no", "yes")]) == pytest.approx(-1.0)

    def test_one_answer_throughout_says_nothing(self) -> None:
        assert cohen_kappa([("no", "no")] * 5) is None
        assert cohen_kappa([]) is None

    @given(st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from("ABCD")), min_size=1))
    def test_kappa_stays_between_minus_one_and_one(self, answers: list[tuple[str, str]]) -> None:
        kappa = cohen_kappa(answers)
        assert kappa is None or -1.0 - 1e-9 <= kappa <= 1.0 + 1e-9

    @given(st.lists(st.sampled_from(["yes", "no"]), min_size=1))
    def test_a_set_agrees_with_itself(self, values: list[str]) -> None:
        kappa = cohen_kappa([(v, v) for v in values])
        # Perfect agreement is kappa 1, unless chance alone explains it (one answer).
        assert kappa == pytest.approx(1.0) if len(set(values)) > 1 else kappa is None


@given(
    st.lists(
        st.dictionaries(st.sampled_from(["broken", "dirty", "grade"]),
                        st.sampled_from(["yes", "no", "A", "B"]), min_size=1),
        min_size=1, max_size=20,
    )
)  # fmt: skip
def test_gradings_that_match_agree_everywhere(answer_sets: list[dict[str, str]]) -> None:
    found = agreement([pair(f"TI-{n:06d}-01", a, a) for n, a in enumerate(answer_sets)])
    assert all(q.rate == 1.0 for q in found.questions)
    assert all(i.rate == 1.0 for i in found.inspectors)
    assert not found.disagreements


class TestAgreement:
    def test_per_question_inspector_and_disagreements_by_hand(self) -> None:
        pairs = [
            pair("TI-000001-01", {"broken": "no", "dirty": "no"}, {"broken": "no", "dirty": "yes"}),
            pair("TI-000002-01", {"broken": "yes", "dirty": "no"}, {"broken": "yes"},
                 outcomes=("reject", "reject")),
            pair("TI-000003-01", {"broken": "no", "grade": "B"}, {"broken": "no", "grade": "C"},
                 firsts="EMP-0003", outcomes=("accept", "revise")),
        ]  # fmt: skip
        found = agreement(pairs)
        by_question = {q.question: q for q in found.questions}
        # broken: 3 of 3 (no, yes, no both times): kappa 1.
        assert (by_question["broken"].compared, by_question["broken"].agreed) == (3, 3)
        assert by_question["broken"].kappa == pytest.approx(1.0)
        # dirty: compared once (the second grader of TI-000002-01 was not asked), differs.
        assert (by_question["dirty"].compared, by_question["dirty"].agreed) == (1, 0)
        assert by_question["grade"].rate == 0.0
        # outcome: accept/accept, reject/reject, accept/revise: 2 of 3; listed last.
        assert found.questions[-1].question == OUTCOME
        assert by_question[OUTCOME].rate == pytest.approx(2 / 3)
        # chance: firsts accept 2, reject 1; seconds accept 1, reject 1, revise 1:
        # (2·1 + 1·1) / 9 = 1/3; kappa (2/3 - 1/3) / (2/3) = 0.5.
        assert by_question[OUTCOME].kappa == pytest.approx(0.5)
        inspectors = {(i.inspector_id, i.role): i for i in found.inspectors}
        # EMP-0001 first: TI-1 (broken ✓, dirty ✗, outcome ✓), TI-2 (broken ✓, outcome ✓).
        emp1 = inspectors[("EMP-0001", Grader.FIRST)]
        assert (emp1.pairs, emp1.compared, emp1.agreed) == (2, 5, 4)
        emp3 = inspectors[("EMP-0003", Grader.FIRST)]
        assert (emp3.compared, emp3.agreed) == (3, 1)
        emp2 = inspectors[("EMP-0002", Grader.SECOND)]
        assert (emp2.pairs, emp2.compared, emp2.agreed) == (3, 8, 5)
        assert [(d.pair.item_id, d.question, d.first_answer, d.second_answer)
                for d in found.disagreements] == [
            ("TI-000001-01", "dirty", "no", "yes"),
            ("TI-000003-01", "grade", "B", "C"),
            ("TI-000003-01", OUTCOME, "accept", "revise"),
        ]  # fmt: skip

    def test_the_latest_answer_to_a_question_counts(self) -> None:
        assert latest_answers([("dirty", "yes"), ("broken", "no"), ("dirty", "no")]) == {
            "dirty": "no",
            "broken": "no",
        }
