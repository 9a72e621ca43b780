"""Words a learner types for a concept that its title and explanation may not contain.

`CONCEPT_KEYWORDS` is indexed (heavily weighted) with each concept's explanation, errata and quiz,
so 'nucleus', 'top_p' or 'GQA' find the concept; `QUERY_EXPANSIONS` spells out abbreviations at
query time, so 'GQA' also reaches notes passages that only say 'Grouped-Query Attention'.
Both go through `tools.course.normalise`, so 'top-p', 'top_p' and 'TOP-P' are the same.
"""

from __future__ import annotations

CONCEPT_KEYWORDS: dict[str, str] = {
    "neuron": "perceptron weights bias weighted sum sigmoid neural network parameters learning rate",
    "activation": "GELU ReLU ELU Swish SiLU SwiGLU GLU gated linear unit tanh sigmoid nonlinearity activation function",
    "softmax": "softmax temperature logits probability distribution output layer normalised exponential",
    "normalization": "LayerNorm layer norm RMSNorm RMS norm root mean square normalisation mean sigma mu variance "
    "epsilon eps gain",
    "add_and_norm": "add & norm add and norm residual connection skip connection sublayer post-LN pre-LN",
    "attention": "self-attention scaled dot-product attention query key value QKV causal mask masking sqrt d_k "
    "attention weights",
    "multi_head_attention": "MHA multi-head attention heads concat W_O W^O head projection d_head",
    "grouped_query_attention": "GQA MQA multi-query attention grouped-query KV cache kv-cache key value heads "
    "shared groups memory Llama 2",
    "positional_encoding": "sinusoidal positional encoding sine cosine position embedding absolute position",
    "rope": "RoPE rotary positional embeddings rotation relative position theta 10000",
    "tokenization": "tokenizer tokeniser tokens subword word-level character-level OOV out-of-vocabulary vocabulary",
    "bpe": "BPE byte pair encoding byte-pair merges merge rules Sennrich Gage subword vocabulary",
    "beam_search": "beam search beam width beam size decoding candidates sequences log probability",
    "sampling": "top-p top_p nucleus sampling top-k top_k greedy decoding temperature truncation cumulative "
    "probability Holtzman",
    "penalties": "presence penalty frequency penalty presence_penalty frequency_penalty repetition penalty logit "
    "bias repeated tokens",
    "parameter_count": "GPT-3 175B parameter count n_params d_model dmodel n_layers n_heads d_head d_ff "
    "embedding matrix vocabulary size 12288",
    "layer_types": "encoder-only decoder-only encoder-decoder BERT GPT T5 seq2seq transformer architecture",
    "pass_at_k": "pass@k pass_at_k passk unbiased estimator Codex HumanEval code generation functional "
    "correctness n samples c correct",
    "cross_entropy_perplexity": "cross-entropy cross entropy perplexity PPL loss negative log-likelihood NLL "
    "bits nats next-word prediction",
    "ibm_model1": "IBM Model 1 SMT statistical machine translation word alignment EM expectation maximization "
    "translation probability",
    "hmm_viterbi": "HMM hidden Markov model Viterbi decoding speech recognition emission transition states",
    "ngram_lm": "n-gram ngram bigram trigram autoregressive language model add-k smoothing Laplace counts",
    "gan_1d": "GAN generative adversarial network generator discriminator adversarial minimax",
    "vae": "VAE variational autoencoder ELBO KL divergence reparameterisation reparameterization trick latent "
    "encoder decoder",
    "bradley_terry": "Bradley-Terry reward model pairwise preferences comparisons human feedback RLHF InstructGPT",
    "ppo_clip": "PPO proximal policy optimization clipped surrogate objective ratio epsilon clip advantage policy",
    "rejection_sampling": "rejection sampling best-of-n best-of-K best_of_n fine-tuning reward model Llama 2",
    "rlhf_pipeline": "RLHF reinforcement learning from human feedback InstructGPT SFT reward model PPO KL penalty "
    "beta pipeline",
    "self_consistency": "self-consistency CoT-SC chain of thought majority vote sampled reasoning paths",
    "tree_of_thoughts_value": "ToT tree of thoughts tree-of-thoughts BFS search value prune partial solutions "
    "deliberate reasoning",
}

#: Abbreviation -> what the notes spell out; added to a query that contains the abbreviation.
QUERY_EXPANSIONS: dict[str, str] = {
    "gqa": "grouped query attention",
    "mqa": "multi query attention",
    "mha": "multi head attention",
    "kv": "key value",
    "qkv": "query key value",
    "bpe": "byte pair encoding",
    "oov": "out of vocabulary",
    "rope": "rotary positional embeddings",
    "layernorm": "layer normalization",
    "rmsnorm": "rms normalization",
    "gelu": "gaussian error linear unit",
    "relu": "rectified linear unit",
    "swiglu": "swish glu",
    "silu": "sigmoid linear unit swish",
    "topp": "nucleus top",
    "nucleus": "topp",
    "topk": "top",
    "passk": "pass unbiased estimator",
    "dmodel": "model dimension embedding",
    "llm": "large language model",
    "llms": "large language models",
    "rlhf": "reinforcement learning human feedback",
    "ppo": "proximal policy optimization",
    "sft": "supervised fine tuning",
    "vae": "variational autoencoder",
    "gan": "generative adversarial network",
    "gans": "generative adversarial networks",
    "hmm": "hidden markov model",
    "hmms": "hidden markov models",
    "smt": "statistical machine translation",
    "nlp": "natural language processing",
    "cot": "chain thought",
    "tot": "tree thoughts",
    "ppl": "perplexity",
}
