"""The grounded grader on scripted models: what the checks decide, and what they leave to the judge."""

from __future__ import annotations

import pytest

from agents.grading import CONTRADICTION_CAP, NoReference, gateway_judge, grade_answer
from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend

from .conftest import JUDGE_PROMPT, NEURON_QUESTION, judge_gateway, silent_gateway

RMSNORM = "RMSNorm subtracts the mean."


@pytest.mark.parametrize(
    "question",
    [
        "What does RMSNorm do differently from LayerNorm?",
        "What does RMSNorm drop compared with LayerNorm?",
        "How is RMSNorm computed?",
        "",  # a bare claim: "Is this right? RMSNorm subtracts the mean."
    ],
)
async def test_rmsnorm_subtracting_the_mean_never_gets_full_marks(question: str) -> None:
    gateway = judge_gateway(10)  # the model would give full marks
    result = await grade_answer(question, RMSNORM, judge=gateway_judge(gateway), always_judge=True)
    grade = result.grade
    assert grade.score <= CONTRADICTION_CAP and grade.verdict == "incorrect" and grade.method == "checks"
    assert grade.judge_score == 10  # the model was asked and said 10; the contradiction capped it
    assert grade.concept == "normalization" and any("mean is not subtracted" in r for r in grade.reasons)


async def test_a_correct_numeric_answer_gets_ten_without_a_model_call() -> None:
    gateway, backend = silent_gateway()
    result = await grade_answer(NEURON_QUESTION, "z = -0.7 and y ≈ 0.332", judge=gateway_judge(gateway))
    assert (result.grade.score, result.grade.verdict, result.grade.method) == (10.0, "correct", "exact")
    assert result.usage == [] and backend.prompts == []


async def test_the_sigmoid_of_the_wrong_sign_is_wrong() -> None:
    gateway, backend = silent_gateway()
    result = await grade_answer(NEURON_QUESTION, "z = -0.7, y = 1/(1+e^-0.7) ≈ 0.669", judge=gateway_judge(gateway))
    assert result.grade.score <= CONTRADICTION_CAP and result.grade.verdict == "incorrect"
    assert any("0.669" in r for r in result.grade.reasons) and backend.prompts == []


async def test_a_right_number_with_a_wrong_claim_is_wrong() -> None:
    question = "A model assigns probability 1/4 to every actual next token. What is its perplexity?"
    result = await grade_answer(question, "The perplexity is 4, since the cross-entropy is 4 bits.")
    assert result.grade.score <= CONTRADICTION_CAP and any("cross entropy bits is 2" in r for r in result.grade.reasons)
    ok = await grade_answer(question, "4, because the cross-entropy is 2 bits.")
    assert ok.grade.score == 10


async def test_set_answers_need_exactly_the_computed_set() -> None:
    question = "With apple 0.4, banana 0.3, cherry 0.2, date 0.1 and top-p with p = 0.8, which tokens are kept?"
    exact = await grade_answer(question, "apple, banana and cherry")
    short = await grade_answer(question, "apple and banana")
    assert (exact.grade.score, exact.grade.method) == (10.0, "set")
    assert short.grade.score <= 4 and short.grade.method == "set" and any("cherry" in r for r in short.grade.reasons)


async def test_exceeds_is_not_at_least() -> None:
    question = "When does top-p sampling stop adding tokens to the nucleus?"
    wrong = await grade_answer(
        question, "When the cumulative probability exceeds p.", judge=gateway_judge(judge_gateway(10))
    )
    assert wrong.grade.score <= CONTRADICTION_CAP and wrong.usage == []  # settled without asking the model


async def test_free_text_the_checks_cannot_settle_goes_to_the_judge() -> None:
    question = "What is the main cost of character-level tokenisation?"
    answer = "The sequences get much longer, and single characters carry little meaning on their own."
    result = await grade_answer(question, answer, judge=gateway_judge(judge_gateway(8)))
    assert (result.grade.score, result.grade.method, result.grade.judge_score) == (8.0, "judge", 8)
    assert len(result.usage) == 1 and result.grade.reasons == ["same facts as the reference"]


async def test_a_judge_that_fails_leaves_the_checks_verdict() -> None:
    gateway = Gateway(ScriptedBackend([{"pattern": JUDGE_PROMPT, "response": "Looks fine to me."}]))  # not JSON
    question = "What is the main cost of character-level tokenisation?"
    result = await grade_answer(question, "The sequences get much longer.", judge=gateway_judge(gateway))
    assert result.grade.method == "checks" and result.grade.judge_score is None and 4 < result.grade.score < 7


async def test_yes_no_answers_follow_the_reference() -> None:
    question = "Is the bias shared by all neurons in a layer?"
    yes = await grade_answer(question, "Yes, all the neurons in the layer share one bias.")
    no = await grade_answer(question, "No, every neuron has its own.")
    assert yes.grade.verdict == "incorrect" and no.grade.score >= 7


async def test_a_quiz_item_outside_the_lab_is_its_own_reference() -> None:
    item = {"question": "Name the function that turns logits into probabilities.", "answer": "softmax"}
    result = await grade_answer(item["question"], "the softmax", quiz_item=item)
    assert result.grade.score >= 7 and result.grade.reference == "softmax"


async def test_an_empty_answer_scores_zero_and_nothing_in_the_course_raises() -> None:
    empty = await grade_answer(NEURON_QUESTION, "   ")
    assert (empty.grade.score, empty.grade.method) == (0.0, "none")
    with pytest.raises(NoReference):
        await grade_answer("What is the capital of France?", "Paris")


async def test_the_grade_renders_as_the_evaluator_persona_text() -> None:
    result = await grade_answer(NEURON_QUESTION, "z = -0.7, y = 0.332")
    assert result.grade.render() == "SCORE: 10\nREASONS:\n- states -0.7, 0.3318, matching the reference"
