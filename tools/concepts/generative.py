"""Generative models with latent noise: a tiny 1-D GAN and the VAE's reparameterised ELBO."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, floats, require_rectangular
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- GAN


class GanInput(ConceptInput):
    target_mean: float = Field(default=3.0, ge=-10.0, le=10.0)
    target_std: float = Field(default=1.0, gt=0.05, le=5.0)
    steps: int = Field(default=2000, ge=1, le=20000, description="generator updates")
    d_steps: int = Field(default=5, ge=1, le=20, description="discriminator updates per generator update (k)")
    batch_size: int = Field(default=128, ge=2, le=1024)
    lr_d: float = Field(default=0.2, gt=0.0, le=2.0)
    lr_g: float = Field(default=0.02, gt=0.0, le=2.0)
    log_every: int = Field(default=250, ge=1, le=20000)
    seed: int = Field(default=0, ge=0)


def _bce_parts(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stable log σ(s) and log(1 − σ(s))."""
    return -np.logaddexp(0.0, -s), -np.logaddexp(0.0, s)


def run_gan_1d(inp: GanInput) -> dict[str, object]:
    """Reported generator = average over the second half of training.

    G(z) = a·z + b with z ~ N(0,1); D(x) = σ(w2·x̃² + w1·x̃ + c) on x̃ = x/scale (so it can see the variance).

    D minimises −E[log D(x)] − E[log(1 − D(G(z)))]; G uses the non-saturating loss −E[log D(G(z))]
    (Goodfellow et al. §3). Alternating SGD steps with analytic gradients.
    """
    rng = np.random.default_rng(inp.seed)
    scale = abs(inp.target_mean) + inp.target_std  # train on x̃ = x/scale so the quadratic feature is O(1)
    ga, gb = 1.0 / scale, 0.0  # generator in scaled units: x̃ = ga·z + gb
    w2, w1, c = 0.0, 0.0, 0.0
    log: list[dict[str, float]] = []
    sig = np.full(inp.batch_size, 0.5)
    d_loss = 2 * math.log(2)
    avg_a = avg_b = 0.0
    n_avg = 0
    for step in range(1, inp.steps + 1):
        for _ in range(inp.d_steps):
            real = rng.normal(inp.target_mean, inp.target_std, inp.batch_size) / scale
            fake = ga * rng.normal(0.0, 1.0, inp.batch_size) + gb
            s_r = w2 * real**2 + w1 * real + c
            s_f = w2 * fake**2 + w1 * fake + c
            g_r = 1.0 / (1.0 + np.exp(-s_r)) - 1.0  # dL_D/ds on real samples
            g_f = 1.0 / (1.0 + np.exp(-s_f))  # dL_D/ds on fake samples
            w2 -= inp.lr_d * float(np.mean(g_r * real**2) + np.mean(g_f * fake**2))
            w1 -= inp.lr_d * float(np.mean(g_r * real) + np.mean(g_f * fake))
            c -= inp.lr_d * float(np.mean(g_r) + np.mean(g_f))
            d_loss = float(-np.mean(_bce_parts(s_r)[0]) - np.mean(_bce_parts(s_f)[1]))
        # generator step against the updated discriminator, non-saturating loss −log σ(s)
        z = rng.normal(0.0, 1.0, inp.batch_size)
        fake = ga * z + gb
        s_f = w2 * fake**2 + w1 * fake + c
        sig = 1.0 / (1.0 + np.exp(-s_f))
        dl_dx = (sig - 1.0) * (2 * w2 * fake + w1)
        ga -= inp.lr_g * float(np.mean(dl_dx * z))
        gb -= inp.lr_g * float(np.mean(dl_dx))
        g_loss = float(-np.mean(_bce_parts(s_f)[0]))
        if step > inp.steps // 2:  # Polyak-average the generator over the second half to damp oscillation
            avg_a += abs(ga)
            avg_b += gb
            n_avg += 1
        if step % inp.log_every == 0 or step == inp.steps:
            log.append({"step": step, "d_loss": d_loss, "g_loss": g_loss, "mean": gb * scale, "std": abs(ga) * scale})
    a, b = avg_a / n_avg * scale, avg_b / n_avg * scale
    samples = a * rng.normal(0.0, 1.0, 10000) + b
    return {
        "losses": log,
        "generated_mean": float(samples.mean()),
        "generated_std": float(samples.std()),
        "target_mean": inp.target_mean,
        "target_std": inp.target_std,
        "generator": {"a": a, "b": b, "last_a": ga * scale, "last_b": gb * scale},
        "discriminator": {"w2": w2, "w1": w1, "c": c, "scale": scale},
        "d_of_fake_mean": float(np.mean(sig)),
        "equilibrium_d": 0.5,
        "equilibrium_d_loss": 2 * math.log(2),
    }


GAN_1D = Concept(
    name="gan_1d",
    title="A one-dimensional GAN trained with numpy",
    section="Generative Adversarial Networks (GANs)",
    explanation=(
        "A generative adversarial network (Goodfellow et al. 2014) trains two models against each other. "
        "The generator G maps random noise z to samples G(z); the discriminator D outputs the probability "
        "that its input came from the data rather than from G. They play the minimax game "
        "min_G max_D E_x[log D(x)] + E_z[log(1 − D(G(z)))]: D is rewarded for telling real from fake and G "
        "is rewarded exactly when D is fooled, so one player's gain is the other's loss. In practice G "
        "maximises log D(G(z)) instead (the non-saturating loss), which gives stronger gradients early in "
        "training. For a fixed G the optimal D is p_data/(p_data + p_g), and at the global optimum p_g = "
        "p_data and D = 1/2 everywhere, where D's loss is 2 ln 2 ≈ 1.386. This tiny version uses an affine "
        "generator a·z + b and a logistic discriminator with a quadratic feature, so it can detect wrong "
        "means and wrong spreads; it takes k discriminator steps per generator step as in Algorithm 1 and "
        "averages the generator over the second half of training, since GAN dynamics oscillate. The "
        "generated mean and standard deviation approach the target's. Training is seeded and deterministic."
    ),
    input_model=GanInput,
    example={"target_mean": 3.0, "target_std": 1.0, "steps": 3000, "seed": 0},
    run=run_gan_1d,
    quiz=[
        QuizItem(
            question="What is the value function of the original GAN game?",
            answer="V(D,G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))], minimised over G and maximised over D.",
        ),
        QuizItem(
            question="At the global optimum, what does the discriminator output?",
            answer="1/2 for every input, because p_g = p_data.",
        ),
    ],
    references=["Goodfellow et al. 2014, Generative Adversarial Nets"],
    errata=[
        Erratum(
            "180",
            "wrong",
            "The notes say 'If D correctly identifies real data as real ... and generated data as fake ..., both G "
            "and D are rewarded'",
            "the game is zero-sum: V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] is maximised by D and minimised by "
            "G, so when D is right G's loss is high; G gains only when D is fooled",
            "Goodfellow et al. 2014, Generative Adversarial Nets, §3 eq. (1)",
        ),
        Erratum(
            "199",
            "imprecise",
            "Under 'Data Generation for Training' the notes describe turning low-resolution images into "
            "high-resolution ones",
            "that application is super-resolution (e.g. SRGAN), a different use from generating extra training "
            "data, which the notes cover under Data Augmentation (line 196)",
            "Ledig et al. 2017, SRGAN",
        ),
    ],
)

# --------------------------------------------------------------------------- VAE


class VaeInput(ConceptInput):
    x: list[Real] = Field(min_length=1, max_length=256, description="one data point, dimension D")
    mu: list[Real] = Field(min_length=1, max_length=64, description="encoder mean, latent dimension L")
    log_var: list[Real] = Field(min_length=1, max_length=64, description="encoder log σ²")
    decoder_w: list[list[Real]] = Field(min_length=1, max_length=256, description="D × L, mean = W z + b")
    decoder_b: list[Real] | None = Field(default=None, description="length D; default zeros")
    obs_std: float = Field(default=1.0, gt=0.0, le=1000.0, description="σ_x of p(x|z) = N(Wz + b, σ_x² I)")
    n_samples: int = Field(default=1000, ge=1, le=100000)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _shapes(self) -> VaeInput:
        if len(self.log_var) != len(self.mu):
            raise ValueError(f"log_var has length {len(self.log_var)} but mu has length {len(self.mu)}")
        if any(abs(v) > 50 for v in self.log_var):
            raise ValueError("log_var entries must lie in [-50, 50]")
        cols = require_rectangular("decoder_w", self.decoder_w)
        if len(self.decoder_w) != len(self.x) or cols != len(self.mu):
            raise ValueError(
                f"decoder_w must be len(x) × len(mu) = {len(self.x)} × {len(self.mu)}, "
                f"got {len(self.decoder_w)} × {cols}"
            )
        if self.decoder_b is not None and len(self.decoder_b) != len(self.x):
            raise ValueError(f"decoder_b must have length len(x) = {len(self.x)}")
        return self


def gaussian_kl(mu: np.ndarray, log_var: np.ndarray) -> float:
    """KL(N(μ, diag σ²) || N(0, I)) = ½ Σ (σ² + μ² − 1 − log σ²) (Kingma & Welling, Appendix B)."""
    return float(0.5 * np.sum(np.exp(log_var) + mu**2 - 1.0 - log_var))


def run_vae(inp: VaeInput) -> dict[str, object]:
    """z = μ + σ·ε with ε ~ N(0, I); Monte-Carlo and closed-form E_q[log p(x|z)]; ELBO = recon − KL."""
    x = np.asarray(inp.x, dtype=float)
    mu = np.asarray(inp.mu, dtype=float)
    log_var = np.asarray(inp.log_var, dtype=float)
    w = np.asarray(inp.decoder_w, dtype=float)
    b = np.zeros_like(x) if inp.decoder_b is None else np.asarray(inp.decoder_b, dtype=float)
    sigma = np.exp(0.5 * log_var)
    s2 = inp.obs_std**2
    d = x.shape[0]
    rng = np.random.default_rng(inp.seed)
    eps = rng.normal(size=(inp.n_samples, mu.shape[0]))
    z = mu + sigma * eps
    resid = x - (z @ w.T + b)
    log_norm = -0.5 * d * math.log(2 * math.pi * s2)
    recon_samples = log_norm - 0.5 * np.sum(resid**2, axis=1) / s2
    recon_mc = float(recon_samples.mean())
    mean_resid = x - (w @ mu + b)
    trace = float(np.sum((w**2) * sigma**2))  # tr(W diag(σ²) Wᵀ)
    recon_exact = log_norm - 0.5 * (float(mean_resid @ mean_resid) + trace) / s2
    kl = gaussian_kl(mu, log_var)
    return {
        "sigma": floats(sigma),
        "first_eps": floats(eps[0]),
        "first_z": floats(z[0]),
        "recon_log_lik_mc": recon_mc,
        "recon_log_lik_exact": recon_exact,
        "kl": kl,
        "elbo_mc": recon_mc - kl,
        "elbo_exact": recon_exact - kl,
    }


VAE = Concept(
    name="vae",
    title="Variational autoencoder: reparameterisation and the ELBO",
    section="Variational AutoEncoders(VAE)",
    explanation=(
        "A variational autoencoder (Kingma & Welling 2013) is a latent-variable model p(x) = ∫ p(x|z) p(z) dz "
        "with prior p(z) = N(0, I) and a neural decoder p(x|z). The encoder does not output a code but the "
        "mean μ and log-variance log σ² of an approximate posterior q(z|x) = N(μ, diag σ²). Training "
        "maximises the evidence lower bound ELBO = E_q[log p(x|z)] − KL(q(z|x) || p(z)) ≤ log p(x): the first "
        "term rewards good reconstructions, the second keeps codes close to the prior so that sampling z "
        "from N(0, I) and decoding produces realistic data. For Gaussians the KL has the closed form "
        "½ Σ(σ² + μ² − 1 − log σ²). To backpropagate through sampling, the reparameterisation trick writes "
        "z = μ + σ ⊙ ε with ε ~ N(0, I), moving the randomness into ε. This task uses a linear Gaussian "
        "decoder p(x|z) = N(Wz + b, σ_x² I), for which the expected reconstruction term also has a closed "
        "form, and compares it with the seeded Monte-Carlo estimate."
    ),
    input_model=VaeInput,
    example={
        "x": [1.0, -0.5],
        "mu": [0.8],
        "log_var": [-1.0],
        "decoder_w": [[1.2], [-0.6]],
        "n_samples": 2000,
        "seed": 0,
    },
    run=run_vae,
    quiz=[
        QuizItem(
            question="What is KL(N(μ, σ²) || N(0, 1)) for μ = 1, σ = 1?",
            answer="½(1 + 1 − 1 − 0) = 0.5.",
        ),
        QuizItem(
            question="Why is the reparameterisation trick needed?",
            answer="Sampling z ~ N(μ, σ²) is not differentiable in μ, σ; writing z = μ + σε with ε ~ N(0, I) "
            "makes z a differentiable function of the encoder outputs.",
        ),
    ],
    references=["Kingma & Welling 2013, Auto-Encoding Variational Bayes"],
)

CONCEPTS = [GAN_1D, VAE]
