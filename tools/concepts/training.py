"""How models are trained: compute ≈ 6·N·D and compute-optimal scaling, and pretraining vs fine-tuning losses."""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Prob, floats
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

PF_DAY = 1e15 * 86_400  # one petaflop/s sustained for a day, in FLOPs
CHINCHILLA_TOKENS_PER_PARAM = 20  # Hoffmann et al. 2022: compute-optimal D ≈ 20·N

# --------------------------------------------------------------------------- training compute


class ComputeInput(ConceptInput):
    n_params: float = Field(gt=0, le=1e15, description="N, parameters (non-embedding in Kaplan et al.)")
    n_tokens: float = Field(gt=0, le=1e16, description="D, training tokens")
    flops_per_second: float | None = Field(default=None, gt=0, le=1e21, description="hardware peak, for time")
    utilization: float = Field(default=0.4, gt=0, le=1, description="achieved share of peak")


def training_flops(n_params: float, n_tokens: float) -> float:
    """C ≈ 6·N·D: 2N per token forward, 4N backward (Kaplan et al. 2020, §2.1)."""
    return 6.0 * n_params * n_tokens


def compute_optimal(flops: float, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM) -> tuple[float, float]:
    """(N, D) with 6·N·D = flops and D = r·N: N = sqrt(C / 6r)."""
    n = math.sqrt(flops / (6.0 * tokens_per_param))
    return n, tokens_per_param * n


def run_training_compute(inp: ComputeInput) -> dict[str, object]:
    """FLOPs, PF-days, tokens per parameter and the Chinchilla-optimal split of the same compute."""
    flops = training_flops(inp.n_params, inp.n_tokens)
    n_opt, d_opt = compute_optimal(flops)
    out: dict[str, object] = {
        "flops": flops,
        "pf_days": flops / PF_DAY,
        "tokens_per_param": inp.n_tokens / inp.n_params,
        "inference_flops_per_token": 2.0 * inp.n_params,
        "chinchilla_optimal": {"n_params": n_opt, "n_tokens": d_opt},
    }
    if inp.flops_per_second is not None:
        seconds = flops / (inp.flops_per_second * inp.utilization)
        out["days_on_one_device"] = seconds / 86_400
    return out


TRAINING_COMPUTE = Concept(
    name="training_compute",
    title="Training compute ≈ 6·N·D and compute-optimal scaling",
    section="Training",
    explanation=(
        "Training a dense Transformer with N parameters on D tokens costs about C ≈ 6·N·D floating-point "
        "operations (Kaplan et al. 2020, §2.1): each parameter takes part in one multiply-add (2 FLOPs) per "
        "token in the forward pass and about twice that in the backward pass; attention over the context adds "
        "a small term that is ignored. Generating with a trained model costs about 2·N FLOPs per token. For "
        "GPT-3 175B trained on 300 billion tokens this gives 6 × 175e9 × 300e9 ≈ 3.15e23 FLOPs, about 3,650 "
        "petaflop/s-days (one PF-day is 8.64e19 FLOPs); Brown et al. report 3.14e23 and 3,640. Kaplan et al. "
        "found loss falling as a power law in N, D and C and advised spending extra compute mostly on larger "
        "models. Hoffmann et al. (2022, Chinchilla) re-fitted the trade-off and found N and D should grow "
        "together, about 20 tokens per parameter; GPT-3 saw under 2. With D = 20N, the optimum for a budget C "
        "is N = sqrt(C/120): for GPT-3's compute, about 51B parameters on 1.0 trillion tokens. This task "
        "computes C, PF-days, tokens per parameter, the Chinchilla split and, given a device's FLOP/s and "
        "utilisation, the training time."
    ),
    input_model=ComputeInput,
    example={"n_params": 175e9, "n_tokens": 300e9},
    run=run_training_compute,
    quiz=[
        QuizItem(
            question="Roughly how many FLOPs does training GPT-3 175B on 300B tokens take?",
            answer="6 × 175e9 × 300e9 ≈ 3.15e23 FLOPs, about 3,650 petaflop/s-days (the paper reports 3.14e23).",
        ),
        QuizItem(
            question="What does the Chinchilla result say about tokens per parameter?",
            answer="Compute-optimal training uses about 20 tokens per parameter, scaling N and D together; "
            "GPT-3 used about 1.7.",
        ),
    ],
    references=[
        "Kaplan et al. 2020, Scaling Laws for Neural Language Models, §2.1",
        "Brown et al. 2020, Table D.1",
        "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models",
    ],
)

# --------------------------------------------------------------------------- pretraining vs fine-tuning


class StageLossInput(ConceptInput):
    prompt_token_probs: list[Prob] = Field(min_length=1, max_length=100_000, description="p of each prompt token")
    response_token_probs: list[Prob] = Field(min_length=1, max_length=100_000, description="p of each answer token")

    @model_validator(mode="after")
    def _positive(self) -> StageLossInput:
        if any(p <= 0 for p in [*self.prompt_token_probs, *self.response_token_probs]):
            raise ValueError("token probabilities must be > 0")
        return self


def run_stage_losses(inp: StageLossInput) -> dict[str, object]:
    """Pretraining: mean NLL over every token. SFT: prompt tokens masked out, mean over the response only."""
    prompt = [-math.log(p) for p in inp.prompt_token_probs]
    response = [-math.log(p) for p in inp.response_token_probs]
    every = prompt + response
    return {
        "pretraining": {"targets": len(every), "loss": math.fsum(every) / len(every)},
        "sft": {"targets": len(response), "masked": len(prompt), "loss": math.fsum(response) / len(response)},
        "per_token_nll": {"prompt": floats(prompt), "response": floats(response)},
    }


PRETRAINING_FINETUNING = Concept(
    name="pretraining_finetuning",
    title="Pretraining versus fine-tuning",
    section="Exploiting a Pretrained Model: Fine Tuning",
    explanation=(
        "Pretraining teaches a model the language from raw text: a GPT-style model reads huge corpora and is "
        "trained to predict every next token, minimising the average negative log-likelihood over all "
        "positions. No labels are needed because the text is its own target, which is why this is called "
        "self-supervised. GPT-3 was only pretrained, on 300 billion tokens, and then used through prompts: "
        "zero-, one- or few-shot, with no gradient updates (Brown et al. 2020). Fine-tuning continues training "
        "a pretrained model on a much smaller, task-specific or curated dataset. In supervised fine-tuning "
        "(SFT) for an assistant, each example is a prompt with a desired response, and the loss is computed "
        "only on the response tokens: Llama 2 zeroes out the loss on the user prompt, so the model learns to "
        "answer rather than to imitate questions. The objective is the same next-token cross-entropy; what "
        "changes is the data and which tokens count. Alignment steps such as RLHF come after SFT. This task "
        "takes the model's probabilities of the actual prompt and response tokens and shows the pretraining "
        "loss (every token a target) next to the SFT loss (prompt masked)."
    ),
    input_model=StageLossInput,
    example={"prompt_token_probs": [0.05, 0.2, 0.1], "response_token_probs": [0.5, 0.8, 0.9, 0.6]},
    run=run_stage_losses,
    quiz=[
        QuizItem(
            question="Which tokens count in the loss of supervised fine-tuning for a chat model?",
            answer="Only the response tokens; the prompt tokens are masked out (Llama 2 zeroes their loss).",
        ),
        QuizItem(
            question="Was GPT-3 fine-tuned for the tasks in its paper?",
            answer="No. It was pretrained with next-token prediction and evaluated zero-, one- and few-shot "
            "without gradient updates.",
        ),
    ],
    references=[
        "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training",
        "Brown et al. 2020, §2",
        "Touvron et al. 2023b, Llama 2, §3.1",
    ],
    errata=[
        Erratum(
            "844",
            "wrong",
            "The notes say 'GPT-3 trained in a semi-supervised mode' in which it 'would understand the sentences, "
            "break them down, and reconstruct them into new sentences'",
            "GPT-3 was trained with one objective, predicting the next token of web, book and Wikipedia text "
            "(autoregressive language modelling), and then used without fine-tuning; 'unsupervised pre-training "
            "then supervised fine-tuning' was GPT-1's recipe, and nothing is reconstructed",
            "Brown et al. 2020, §2 and §2.1; Radford et al. 2018, §3",
        ),
    ],
)

CONCEPTS = [TRAINING_COMPUTE, PRETRAINING_FINETUNING]
