"""Word-level text handling shared by the grading checks: normalising, stemming, clauses, polarity.

The checks compare a learner's answer with reference text phrase by phrase, so both sides
must be cut and reduced the same way: "subtracts", "subtracted" and "subtraction" are one
stem, a clause is the unit a negation applies to, and names such as RMSNorm or GPT-3 are
kept apart from ordinary words because they say *what* a clause is about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SYMBOLS = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",
    "\u2014": " -- ",
    "\u00d7": " x ",
    "\u00b7": "*",
    "\u2248": "~",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u2260": "!=",
    "\u2192": "->",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00bd": "1/2",
    "\u00bc": "1/4",
    "\u00be": "3/4",
    "\u221a": "sqrt",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\u2202": "d",
}

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for from with as is are was were be been being it its this that
    these those there their they them then than so if into onto over under about which who whom what when where
    why how do does did done doing has have had having can could will would shall should may might must
    i you we he she his her our your my me us just only also very much many more most less some any each every
    all both either neither one's such same other another own while whereas because since though although
    get gets got getting give gives given let lets use uses used using make makes made like e.g i.e etc per
    via up down out off too again still even ever yes yeah yep okay ok""".split()
)

#: Words that flip the polarity of the clause they are in.
NEGATORS = frozenset(
    """not no never none nothing nor without cannot neither isn't aren't wasn't weren't doesn't don't didn't
    can't won't wouldn't shouldn't couldn't hasn't haven't hadn't isnt arent doesnt dont cant wont
    drop drops dropped dropping omit omits omitted omitting lacks lacking skips skipped""".split()
)

_WORD = re.compile(r"[a-z][a-z0-9']*|[0-9]+(?:\.[0-9]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE_CUT = re.compile(r";|:\s|\s--\s|,\s*(?:but|whereas|while|although|though)\s|\s(?:but|whereas|while)\s")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")
_SUFFIXES = ("ically", "ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "es", "s", "ly", "ment")


def normalize(text: str) -> str:
    """NFKC text with maths symbols spelled in ASCII (− → -, × → x, ≈ → ~, ½ → 1/2)."""
    text = unicodedata.normalize("NFKC", "".join(_SYMBOLS.get(ch, ch) for ch in text))
    return text


def stem(word: str) -> str:
    """A light, deterministic stem: subtracts/subtracted/subtraction -> subtract; normalize = normalise."""
    w = word.lower().strip("'")
    if w.endswith("n't"):
        return "not"
    w = w.replace("iz", "is").replace("yse", "yze")
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    for suffix in _SUFFIXES:
        if suffix == "s" and w.endswith(("ss", "us", "is", "as")):
            continue
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + ("at" if suffix.startswith("ation") else "ic" if suffix == "ically" else "")
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsaeiou":
        w = w[:-1]  # "stopp" (stopped) -> "stop"
    if len(w) > 5 and w.endswith("at"):
        w = w[:-2]  # "concatenat" (concatenated, concatenation) -> "concaten"
    return w


def words(text: str) -> list[str]:
    """Lower-case word and number tokens ("re-centring" gives "re", "centring")."""
    return _WORD.findall(normalize(text).lower())


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning: no stop words, negators or one-letter tokens."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and w not in NEGATORS and len(w) > 1}


def entities(text: str) -> set[str]:
    """Names such as RMSNorm, LayerNorm, GPT-3, Pre-LN, KV or GQA, lower-cased: what a clause is about."""
    found = set()
    for token in (part for whole in _TOKEN.findall(normalize(text)) for part in whole.split("/")):
        upper = sum(1 for c in token if c.isupper())
        named = upper >= 2 or (upper and any(c.isdigit() for c in token)) or re.search(r"[a-z][A-Z]", token)
        if named and any(c.isalpha() for c in token):
            found.add(token.lower())
    return found


_ABBREVIATIONS = ("et al.", "e.g.", "i.e.", "vs.", "cf.", "fig.", "eq.", "approx.", "resp.")


def sentences(text: str) -> list[str]:
    """Sentences, cut at . ! ? followed by space (so 0.7 and "et al. 2019" stay whole) and at line breaks."""
    text = normalize(text)
    found: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[: match.start()].lower().endswith(_ABBREVIATIONS):
            continue
        found.append(text[start : match.start()])
        start = match.end()
    found.append(text[start:])
    return [s.strip() for s in found if s and s.strip()]


_SCOPE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9']*|[0-9]+(?:\.[0-9]+)?|[,;:()\[\]]")
_SCOPE_BREAK_WORDS = frozenset("but because since so which while whereas although though than".split())
_CLAUSE_START = frozenset(
    "is are was were be has have had does do did can will would must it they he she there this these".split()
)
_INTERJECTION = re.compile(r"^\W*(?:yes|no|nope|yeah|yep|correct|right|true|false|wrong)\s*[,.:;!-]+\s*", re.I)


def _is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


def _scoped_tokens(text: str) -> list[tuple[re.Match[str], str]]:
    """Tokens of the normalised text, each tagged "negator", "scope" (covered by a negation) or ""."""
    tokens = list(_SCOPE_TOKEN.finditer(normalize(text)))
    lowered = [t.group().lower() for t in tokens]
    tags = [""] * len(tokens)
    for i, token in enumerate(lowered):
        if not _is_negator(token):
            continue
        tags[i] = "negator"
        for j in range(i + 1, len(tokens)):
            t = lowered[j]
            if t in ",;:()[]" or t in _SCOPE_BREAK_WORDS or _is_negator(t):
                break
            if t in ("and", "or") and _starts_clause(lowered, j + 1):
                break
            tags[j] = "scope"
        _negate_antecedent(lowered, tags, i)
    return list(zip(tokens, tags, strict=True))


def _negate_antecedent(lowered: list[str], tags: list[str], negator: int) -> None:
    """ "the sample standard deviation, which LayerNorm does not use": a negation in a relative
    clause whose own scope says nothing negates the phrase the clause is about."""
    covered = [lowered[j] for j in range(negator + 1, len(lowered)) if tags[j] == "scope"]
    if any(t not in STOPWORDS and t[0].isalpha() for t in covered):
        return
    k = negator - 1
    while k > 0 and lowered[k] not in ("which", "that") and lowered[k] not in ";:,":
        k -= 1
    if k <= 1 or lowered[k] not in ("which", "that") or lowered[k - 1] != ",":
        return
    start = k - 2
    while start > 0 and lowered[start - 1] not in ";:":
        start -= 1
    for j in range(start, k - 1):
        if lowered[j] not in "()[],":
            tags[j] = tags[j] or "scope"


def negation_scopes(text: str) -> list[tuple[set[str], set[str]]]:
    """(core, context) for every negation in `text`: the stems a negator covers, up to the next
    comma, bracket or new clause ("and it is ..."), and the stems before it in its clause.

    "there is no bias and the mean is not subtracted" -> ({bias}, {}), ({subtract}, {mean}).
    """
    tagged = _scoped_tokens(text)
    lowered = [m.group().lower() for m, _ in tagged]
    scopes: list[tuple[set[str], set[str]]] = []
    clause_start = 0
    for i, (_, tag) in enumerate(tagged):
        token = lowered[i]
        if token in ";:()[]" or token in _SCOPE_BREAK_WORDS:
            clause_start = i + 1
        elif token in ("and", "or") and tag != "scope" and _starts_clause(lowered, i + 1):
            clause_start = i + 1
        elif tag == "negator":
            core = []
            for j in range(i + 1, len(tagged)):
                if tagged[j][1] != "scope":
                    break
                core.append(lowered[j])
            before = [lowered[k] for k in range(clause_start, i) if not tagged[k][1]]
            scopes.append((_stems_of(core), _stems_of(before)))
    return scopes


def affirmed(text: str) -> str:
    """The normalised text with negators and what they cover blanked out: what it affirms.
    "top-p keeps the smallest set, not more" -> "top-p keeps the smallest set,     "."""
    chars = list(normalize(text))
    for match, tag in _scoped_tokens(text):
        if tag:
            chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return "".join(chars)


def negated_text(text: str) -> str:
    """Only what the text's negations cover, symbols kept ("... not in the training data" ->
    "in the training data", "the sample (n-1) standard deviation, which ... not use" -> the phrase)."""
    source = normalize(text)
    chars = [" "] * len(source)
    run_start: int | None = None
    run_end = 0
    for match, tag in [*_scoped_tokens(text), (None, "")]:
        if match is not None and tag == "scope":
            run_start = match.start() if run_start is None else run_start
            run_end = match.end()
        elif match is not None and match.group() in "()[]" and run_start is not None:
            continue
        elif run_start is not None:
            chars[run_start:run_end] = source[run_start:run_end]
            run_start = None
    return "".join(chars)


def _starts_clause(tokens: list[str], start: int) -> bool:
    """Whether the words after an "and"/"or" open a new clause ("and the mean is ...", "and it ...")."""
    return any(t in _CLAUSE_START for t in _until_break(tokens, start))


def _until_break(tokens: list[str], start: int) -> list[str]:
    out = []
    for t in tokens[start : start + 4]:
        if t in ",;:()[]":
            break
        out.append(t)
    return out


def _stems_of(tokens: list[str]) -> set[str]:
    return {stem(t) for t in tokens if t not in STOPWORDS and not _is_negator(t) and len(t) > 1 and t[0].isalpha()}


def asserted_stems(text: str) -> set[str]:
    """Content stems of `text` that no negation covers: what the text affirms."""
    covered = set().union(*(core for core, _ in negation_scopes(text))) if negation_scopes(text) else set()
    return content_stems(text) - covered


def strip_interjection(text: str) -> str:
    """ "No, every neuron ..." -> "every neuron ...": a leading yes/no answers the question, it does
    not negate what follows."""
    return _INTERJECTION.sub("", normalize(text), count=1)


def is_negated(text: str) -> bool:
    """True when some negation ("not", "no", "doesn't", "without", "drops", ...) covers part of the text."""
    return bool(negation_scopes(text))


@dataclass(frozen=True)
class Clause:
    """One clause: its content stems, the names it is about, what it affirms and what it negates."""

    text: str
    stems: frozenset[str]
    entities: frozenset[str]
    negated: bool
    sentence: str
    asserted: frozenset[str] = frozenset()
    scopes: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()


def clauses(text: str) -> list[Clause]:
    """Clauses of `text`: sentences cut at ; : and contrast words (but, whereas, while).

    Each clause keeps its sentence's names when it has none of its own ("..., and the mean
    is not subtracted" is still about RMSNorm when the sentence says so).
    """
    found: list[Clause] = []
    for sentence in sentences(text):
        sentence_entities = entities(sentence)
        for part in _split_clauses(sentence):
            own = entities(part)
            scopes = negation_scopes(part)
            found.append(
                Clause(
                    text=part,
                    stems=frozenset(content_stems(part)),
                    entities=frozenset(own or sentence_entities),
                    negated=bool(scopes),
                    sentence=sentence,
                    asserted=frozenset(asserted_stems(part)),
                    scopes=tuple((frozenset(c), frozenset(x)) for c, x in scopes),
                )
            )
    return found


def _split_clauses(sentence: str) -> list[str]:
    """Cut at ; : and contrast words (but, whereas, while)."""
    return [p.strip(" ,.") for p in _CLAUSE_CUT.split(sentence) if p and p.strip(" ,.")]


def compatible_entities(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> bool:
    """Two clauses can be about the same thing unless both name things and share none."""
    return not a or not b or bool(set(a) & set(b))


_CALL = re.compile(r"\b([A-Za-z]\w*)\(([^()]*)\)")


def formulas(text: str) -> set[str]:
    """Function-style formulas in canonical form, factors sorted: "O(T N^2)" and "O(N²·T)" are both "o(n^2*t)"."""
    found = set()
    for name, argument in _CALL.findall(normalize(text)):
        factors = sorted(f for f in re.split(r"[\s*]+|\\cdot", argument.lower()) if f)
        if factors:
            found.add(f"{name.lower()}({'*'.join(factors)})")
    return found


def coverage(answer: str, reference: str) -> float:
    """Share of the reference's content stems present in the answer (0..1)."""
    wanted = content_stems(reference)
    if not wanted:
        return 0.0
    return len(wanted & content_stems(answer)) / len(wanted)


__all__ = [
    "NEGATORS",
    "STOPWORDS",
    "Clause",
    "affirmed",
    "asserted_stems",
    "clauses",
    "compatible_entities",
    "content_stems",
    "coverage",
    "entities",
    "formulas",
    "is_negated",
    "negated_text",
    "negation_scopes",
    "normalize",
    "sentences",
    "stem",
    "strip_interjection",
    "words",
]
