"""Alignment from human feedback: Bradley-Terry reward models, PPO clipping, rejection sampling, the pipeline."""

from __future__ import annotations

import math
from itertools import combinations
from statistics import median

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.concepts._util import ConceptInput, Real, sigmoid
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- Bradley-Terry


class BradleyTerryInput(ConceptInput):
    items: list[str] = Field(min_length=2, max_length=200, description="responses to be scored")
    comparisons: list[tuple[str, str]] = Field(
        min_length=1, max_length=10000, description="[winner, loser] pairs from human labellers"
    )
    lr: float = Field(default=0.5, gt=0.0, le=10.0)
    steps: int = Field(default=2000, ge=1, le=100000)
    l2: float = Field(default=0.0, ge=0.0, le=100.0, description="ridge penalty; > 0 keeps unbeaten items finite")

    @model_validator(mode="after")
    def _known(self) -> BradleyTerryInput:
        if len(set(self.items)) != len(self.items):
            raise ValueError("items must be unique")
        known = set(self.items)
        for i, (w, lo) in enumerate(self.comparisons):
            if w not in known or lo not in known:
                raise ValueError(f"comparisons[{i}] names an item not in items")
            if w == lo:
                raise ValueError(f"comparisons[{i}] compares an item with itself")
        return self


def run_bradley_terry(inp: BradleyTerryInput) -> dict[str, object]:
    """Gradient ascent on mean log σ(r_w − r_l) − (l2/2)Σr²; rewards centred (BT is shift-invariant)."""
    idx = {it: i for i, it in enumerate(inp.items)}
    r = [0.0] * len(inp.items)
    m = len(inp.comparisons)
    history = []
    for step in range(1, inp.steps + 1):
        grad = [-inp.l2 * v for v in r]
        for w, lo in inp.comparisons:
            g = 1.0 - sigmoid(r[idx[w]] - r[idx[lo]])  # d/dΔ log σ(Δ)
            grad[idx[w]] += g / m
            grad[idx[lo]] -= g / m
        r = [v + inp.lr * g for v, g in zip(r, grad, strict=True)]
        mean_r = math.fsum(r) / len(r)
        r = [v - mean_r for v in r]
        if step == 1 or step % max(1, inp.steps // 10) == 0 or step == inp.steps:
            ll = math.fsum(math.log(sigmoid(r[idx[w]] - r[idx[lo]])) for w, lo in inp.comparisons) / m
            history.append({"step": step, "mean_log_likelihood": ll})
    rewards = {it: r[idx[it]] for it in inp.items}
    probs = {f"{a} > {b}": sigmoid(rewards[a] - rewards[b]) for a, b in combinations(inp.items, 2)}
    correct = sum(rewards[w] > rewards[lo] for w, lo in inp.comparisons)
    return {
        "rewards": rewards,
        "pairwise_prob": probs,
        "train_accuracy": correct / m,
        "loss": -history[-1]["mean_log_likelihood"],
        "history": history,
    }


BRADLEY_TERRY = Concept(
    name="bradley_terry",
    title="Reward model from pairwise preferences (Bradley-Terry)",
    section="InstructGPT: Reinforcement learning with human feedback",
    explanation=(
        "Humans find it easier to compare two answers than to score one on an absolute scale. RLHF's reward "
        "model therefore learns from comparisons using the Bradley-Terry model: each response y gets a "
        "scalar reward r(x, y), and the probability that labellers prefer y_a over y_b is "
        "σ(r_a − r_b) = 1 / (1 + e^-(r_a − r_b)). The reward model is fitted by maximising the log-likelihood "
        "of the observed preferences, i.e. minimising loss = −E[log σ(r(x, y_w) − r(x, y_l))], exactly the "
        "InstructGPT objective (Ouyang et al. 2022), where labellers ranked K = 4 to 9 responses and all "
        "K(K−1)/2 pairs from one prompt were used in the same batch. Only reward differences matter, so "
        "adding a constant to every reward changes nothing; this task centres the rewards at zero, and "
        "InstructGPT normalises them with a bias so labeller demonstrations have mean score 0. If a response "
        "wins all its comparisons its maximum-likelihood reward is infinite, which an L2 penalty prevents. "
        "Here each item is a fixed response and its reward is a free parameter fitted by gradient ascent."
    ),
    input_model=BradleyTerryInput,
    example={
        "items": ["A", "B", "C"],
        "comparisons": [["A", "B"], ["A", "B"], ["A", "B"], ["B", "A"], ["B", "C"], ["A", "C"]],
        "steps": 2000,
        "l2": 0.01,
    },
    run=run_bradley_terry,
    quiz=[
        QuizItem(
            question="If r_a − r_b = ln 3, what is P(a preferred to b)?",
            answer="σ(ln 3) = 3/(3+1) = 0.75.",
        ),
        QuizItem(
            question="Write the InstructGPT reward-model loss.",
            answer="loss(θ) = −E_(x,y_w,y_l)[log σ(r_θ(x, y_w) − r_θ(x, y_l))], averaged over the K choose 2 "
            "comparisons per prompt.",
        ),
    ],
    references=[
        "Bradley & Terry 1952",
        "Ouyang et al. 2022, Training language models to follow instructions with human feedback, §3.5",
        "Christiano et al. 2017",
    ],
)

# --------------------------------------------------------------------------- PPO clip


class PPOInput(ConceptInput):
    ratios: list[float] = Field(min_length=1, max_length=100000, description="π_new(a|s) / π_old(a|s) per sample, > 0")
    advantages: list[Real] = Field(min_length=1, max_length=100000)
    epsilon: float = Field(default=0.2, gt=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check(self) -> PPOInput:
        if len(self.ratios) != len(self.advantages):
            raise ValueError(f"advantages has length {len(self.advantages)} but ratios has length {len(self.ratios)}")
        if any(not (0 < r < 1e6) or math.isnan(r) for r in self.ratios):
            raise ValueError("ratios must be positive and finite")
        return self


def run_ppo_clip(inp: PPOInput) -> dict[str, object]:
    """L = mean(min(r·A, clip(r, 1−ε, 1+ε)·A)); the clipped term is 'active' when strictly smaller."""
    lo, hi = 1.0 - inp.epsilon, 1.0 + inp.epsilon
    rows = []
    for r, a in zip(inp.ratios, inp.advantages, strict=True):
        unclipped = r * a
        clipped = min(max(r, lo), hi) * a
        active = "clipped" if clipped < unclipped else "unclipped"
        rows.append(
            {
                "ratio": r,
                "advantage": a,
                "unclipped": unclipped,
                "clipped": clipped,
                "objective": min(unclipped, clipped),
                "active": active,
                "gradient_flows": active == "unclipped",
            }
        )
    objective = math.fsum(float(row["objective"]) for row in rows) / len(rows)  # type: ignore[arg-type]
    return {"per_sample": rows, "objective": objective, "loss": -objective}


PPO_CLIP = Concept(
    name="ppo_clip",
    title="PPO's clipped surrogate objective",
    section="PPO",
    explanation=(
        "Proximal Policy Optimization (Schulman et al. 2017) is a policy-gradient method that takes several "
        "gradient steps on the same batch of experience without letting the policy move too far from the "
        "policy that collected it. With probability ratio r_t(θ) = π_θ(a_t|s_t) / π_old(a_t|s_t) and "
        "advantage estimate A_t, it maximises L^CLIP = E_t[min(r_t A_t, clip(r_t, 1 − ε, 1 + ε) A_t)], with "
        "ε = 0.2 in the paper. For a positive advantage the objective stops increasing once r exceeds 1 + ε; "
        "for a negative advantage it stops once r falls below 1 − ε. Taking the minimum makes this a "
        "pessimistic bound: clipping only ever removes an improvement, never hides a worsening, so when the "
        "clipped term is the smaller one its gradient with respect to θ is zero. In RLHF, the action is the "
        "generated response, the reward comes from the learned reward model, and InstructGPT adds a per-token "
        "KL penalty against the supervised policy. This task shows, per sample, both terms and which one "
        "the minimum picks."
    ),
    input_model=PPOInput,
    example={"ratios": [1.5, 0.5, 0.5, 1.5, 1.1], "advantages": [1.0, 1.0, -1.0, -1.0, 2.0], "epsilon": 0.2},
    run=run_ppo_clip,
    quiz=[
        QuizItem(
            question="r = 1.5, A = 1, ε = 0.2: what is the per-sample objective?",
            answer="min(1.5, 1.2) = 1.2 (the clipped term is active; no gradient).",
        ),
        QuizItem(
            question="r = 0.5, A = −1, ε = 0.2: what is the per-sample objective?",
            answer="min(−0.5, −0.8) = −0.8 (clipped term active).",
        ),
    ],
    references=["Schulman et al. 2017, Proximal Policy Optimization Algorithms, eq. (7)"],
)

# --------------------------------------------------------------------------- rejection sampling


class PromptSamples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1, max_length=5000)
    candidates: list[str] = Field(min_length=1, max_length=1000)
    scores: list[Real] = Field(min_length=1, max_length=1000, description="reward-model score per candidate")

    @model_validator(mode="after")
    def _same_length(self) -> PromptSamples:
        if len(self.candidates) != len(self.scores):
            raise ValueError(f"scores has length {len(self.scores)} but candidates has length {len(self.candidates)}")
        return self


class RejectionInput(ConceptInput):
    prompts: list[PromptSamples] = Field(min_length=1, max_length=1000)
    threshold: Real | None = Field(default=None, description="drop a prompt whose best score is below this")


def expected_best_of_n(scores: list[float], n: int) -> float:
    """E[max score of n candidates drawn without replacement from the K given]: Σ s_(i) C(i−1, n−1)/C(K, n)."""
    s = sorted(scores)
    k = len(s)
    return math.fsum(s[i] * math.comb(i, n - 1) for i in range(n - 1, k)) / math.comb(k, n)


def run_rejection_sampling(inp: RejectionInput) -> dict[str, object]:
    """Best-of-K per prompt (ties: first candidate); kept pairs form the next fine-tuning set."""
    per_prompt = []
    dataset = []
    for ps in inp.prompts:
        best = max(range(len(ps.scores)), key=lambda i: (ps.scores[i], -i))
        kept = inp.threshold is None or ps.scores[best] >= inp.threshold
        per_prompt.append(
            {
                "prompt": ps.prompt,
                "best": ps.candidates[best],
                "best_score": ps.scores[best],
                "median_score": float(median(ps.scores)),
                "gain_over_median": ps.scores[best] - float(median(ps.scores)),
                "expected_best_of_n": [expected_best_of_n(list(ps.scores), n) for n in range(1, len(ps.scores) + 1)],
                "kept": kept,
            }
        )
        if kept:
            dataset.append({"prompt": ps.prompt, "response": ps.candidates[best]})
    return {"per_prompt": per_prompt, "fine_tuning_set": dataset}


REJECTION_SAMPLING = Concept(
    name="rejection_sampling",
    title="Rejection-sampling (best-of-K) fine-tuning",
    section="Rejection Sampling Fine-Tuning",
    explanation=(
        "Rejection-sampling fine-tuning, used for Llama 2-Chat (Touvron et al. 2023), turns a reward model "
        "into better training data. For each prompt the current model samples K responses; the reward model "
        "scores them; the highest-scoring response is kept as the new target and the rest are rejected. The "
        "model is then fine-tuned on these selected (prompt, best response) pairs with the ordinary "
        "supervised next-token loss, not with a reinforcement-learning update; PPO is a separate step that "
        "Llama 2 applied afterwards. The benefit grows with K because the expected maximum of K samples "
        "rises (Llama 2, Figure 7, shows the gap between the best and the median reward widening with more "
        "samples). Llama 2 explored with the 70B model only and distilled its selected outputs into the "
        "smaller models, and kept the best samples from all earlier iterations to avoid regressions. This "
        "task picks the best candidate per prompt, reports its gain over the median, the expected best-of-n "
        "reward for n = 1..K (the average over random subsets), and the resulting fine-tuning set."
    ),
    input_model=RejectionInput,
    example={
        "prompts": [
            {
                "prompt": "Explain RMSNorm in one sentence.",
                "candidates": ["It normalises.", "It rescales by the root mean square.", "No idea."],
                "scores": [0.2, 1.4, -1.0],
            },
            {
                "prompt": "Name a GAN loss.",
                "candidates": ["Minimax cross-entropy.", "Mean squared error of labels."],
                "scores": [0.9, 0.3],
            },
        ]
    },
    run=run_rejection_sampling,
    quiz=[
        QuizItem(
            question="After selecting the best of K samples, how is Llama 2 fine-tuned on them?",
            answer="With standard supervised fine-tuning (next-token cross-entropy) on the selected "
            "responses; it is not an RL update.",
        ),
        QuizItem(
            question="Why does a larger K help?",
            answer="The expected maximum reward among K samples increases with K, so the selected targets improve.",
        ),
    ],
    references=[
        "Touvron et al. 2023, Llama 2: Open Foundation and Fine-Tuned Chat Models, §3.2.3",
        "Nakano et al. 2021 (WebGPT best-of-n)",
    ],
    errata=[
        Erratum(
            "1423",
            "imprecise",
            "The notes say 'The model is fine-tuned using reinforcement learning techniques, such as gradient "
            "updates, based on the selected high-quality sample'",
            "Llama 2 counts rejection sampling as one of its two RLHF algorithms, but the update itself is "
            "ordinary supervised fine-tuning on the selected samples, treated as the new gold standard; PPO is "
            "the other algorithm, applied on top of the rejection-sampling checkpoint from RLHF V5 on",
            "Touvron et al. 2023b, Llama 2, §3.2.3",
        ),
    ],
)

# --------------------------------------------------------------------------- RLHF pipeline


class RLHFSample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reward: Real = Field(description="reward-model score r(x, y)")
    logp_policy: float = Field(le=0.0, ge=-1e6, description="log π_RL(y|x)")
    logp_sft: float = Field(le=0.0, ge=-1e6, description="log π_SFT(y|x)")


class RLHFInput(ConceptInput):
    samples: list[RLHFSample] = Field(min_length=1, max_length=10000)
    beta: float = Field(default=0.02, ge=0.0, le=10.0, description="KL penalty coefficient")


def run_rlhf_pipeline(inp: RLHFInput) -> dict[str, object]:
    """InstructGPT's PPO reward: R = r(x, y) − β·log(π_RL(y|x)/π_SFT(y|x))."""
    rows = []
    for s in inp.samples:
        log_ratio = s.logp_policy - s.logp_sft
        rows.append({"reward": s.reward, "log_ratio": log_ratio, "penalised_reward": s.reward - inp.beta * log_ratio})
    n = len(rows)
    return {
        "stages": [
            "1. SFT: fine-tune the pretrained model on labeller demonstrations",
            "2. RM: collect rankings of model outputs and fit a reward model with the pairwise loss",
            "3. RL: optimise the SFT policy with PPO against the RM, with a KL penalty to the SFT model",
        ],
        "per_sample": rows,
        "mean_reward": math.fsum(float(r["reward"]) for r in rows) / n,
        "mean_kl_estimate": math.fsum(float(r["log_ratio"]) for r in rows) / n,
        "mean_penalised_reward": math.fsum(float(r["penalised_reward"]) for r in rows) / n,
    }


RLHF_PIPELINE = Concept(
    name="rlhf_pipeline",
    title="The InstructGPT RLHF pipeline and its KL-penalised reward",
    section="InstructGPT: Reinforcement learning with human feedback",
    explanation=(
        "InstructGPT (Ouyang et al. 2022) aligns a pretrained GPT-3 in three steps. First, supervised "
        "fine-tuning (SFT) on prompts with demonstrations written by labellers. Second, a reward model is "
        "trained on labellers' rankings of several model outputs per prompt, using the pairwise "
        "Bradley-Terry loss. Third, the SFT model is optimised with PPO to maximise the reward model's score. "
        "Because a learned reward can be exploited, the RL reward for a response is "
        "R(x, y) = r_θ(x, y) − β log(π_RL(y|x) / π_SFT(y|x)), a per-token KL penalty that keeps the policy "
        "close to the SFT model; the PPO-ptx variant also mixes in pretraining gradients to limit "
        "regressions on public NLP benchmarks. Humans do not hand out rewards during RL: their feedback enters "
        "only through the demonstrations and the comparisons behind the reward model. PPO is the optimiser "
        "inside step three, while RLHF is the whole recipe. GPT-3 itself (Brown et al. 2020) was only "
        "pretrained; RLHF came later with InstructGPT and ChatGPT. This task computes the penalised reward "
        "from given scores and log-probabilities."
    ),
    input_model=RLHFInput,
    example={
        "samples": [
            {"reward": 1.2, "logp_policy": -12.0, "logp_sft": -15.0},
            {"reward": 0.4, "logp_policy": -20.0, "logp_sft": -19.5},
        ],
        "beta": 0.02,
    },
    run=run_rlhf_pipeline,
    quiz=[
        QuizItem(
            question="What are the three stages of InstructGPT?",
            answer="Supervised fine-tuning on demonstrations, reward-model training on comparisons, and "
            "PPO optimisation against the reward model with a KL penalty.",
        ),
        QuizItem(
            question="Why is a KL penalty to the SFT model added to the reward?",
            answer="To stop the policy drifting into outputs that exploit the reward model and to keep it "
            "close to fluent, supervised behaviour.",
        ),
    ],
    references=["Ouyang et al. 2022, §3.5 eq. (2)", "Stiennon et al. 2020", "Brown et al. 2020"],
    errata=[
        Erratum(
            "844",
            "wrong",
            "The notes say GPT-3's engineers 'would fine-tune the results in supervised training, a process known "
            "as reinforcement learning with human feedback (RLHF)'",
            "GPT-3 was only pretrained and then evaluated zero-, one- and few-shot without gradient updates; "
            "supervised fine-tuning and RLHF are different steps, and RLHF was applied later, in InstructGPT",
            "Brown et al. 2020, §2; Ouyang et al. 2022, §3",
        ),
        Erratum(
            "1041-1043",
            "imprecise",
            "The analogy in the notes has RLHF 'combining feedback from both the environment and the coach', with "
            "humans giving 'rewards for good performance, demonstrations ... or tips'",
            "in InstructGPT the RL reward comes from a reward model trained on human comparisons (minus a KL "
            "penalty); humans do not reward the policy during RL and there is no separate environment reward. "
            "Demonstrations are used, but in the earlier supervised fine-tuning step",
            "Ouyang et al. 2022, §3.1 and §3.5; Christiano et al. 2017",
        ),
        Erratum(
            "949",
            "imprecise",
            "The notes call InstructGPT 'a technique developed by OpenAI'",
            "InstructGPT is the name of the resulting models ('We call the resulting models InstructGPT'); the "
            "technique is RLHF (supervised fine-tuning, reward modelling and PPO)",
            "Ouyang et al. 2022, abstract and §1",
        ),
    ],
)

CONCEPTS = [BRADLEY_TERRY, PPO_CLIP, REJECTION_SAMPLING, RLHF_PIPELINE]
