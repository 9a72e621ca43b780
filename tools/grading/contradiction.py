"""Does a free-text answer contradict the reference? Phrase-level checks, no model.

Five kinds, each general rather than tied to one question:
- polarity: a yes/no question answered the other way from the reference;
- negated claim: the answer asserts what the reference denies ("RMSNorm subtracts the mean"
  against "... the mean is not subtracted"), or denies what the reference answer asserts;
- swapped term: the answer uses one side of a contrast pair (exceeds / at least, sample /
  population, max / sum, over- / underestimates, ...) where the closest reference clause
  uses the other;
- known error: the answer repeats a claim the reference quotes as wrong (the notes' errata);
- number: a number in the answer disagrees with the one the closest reference clause gives
  ("the previous three words" against "the two preceding words").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .numbers import check_numbers, claimed_value, close, extract_numbers
from .text import (
    STOPWORDS,
    Clause,
    affirmed,
    clauses,
    compatible_entities,
    content_stems,
    entities,
    negated_text,
    normalize,
    stem,
    strip_interjection,
    words,
)

ContradictionKind = Literal["polarity", "negated_claim", "swapped_term", "known_error", "number"]


@dataclass(frozen=True)
class Contradiction:
    """One way the answer disagrees with the reference, with a short reason for the learner."""

    kind: ContradictionKind
    reason: str


#: Contrast pairs: two ways of saying opposite things. Each side is a list of regexes over
#: lower-cased, normalised text.
CONTRAST_PAIRS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("exceeds", (r"\bexceed", r"\bmore than\b", r"\bgreater than\b(?! or equal)", r"\babove\b", r"(?<![<>=])>(?!=)"),
     "at least", (r"\bat least\b", r">=", r"\breach", r"\bor equal\b", r"\bno less than\b")),
    ("sample (n - 1)", (r"\bsample\b.{0,12}(?:standard|std|variance|deviation)", r"\bn\s*-\s*1\b", r"\bh\s*-\s*1\b",
                        r"\bunbiased (?:variance|estimat)", r"\bbessel"),
     "population (divide by n)", (r"\bpopulation\b", r"\bbiased (?:variance|standard|std)",
                                  r"divid\w* by (?:n|h)\b(?!\s*-)", r"\bnumber of features\b")),
    ("sum", (r"\bsums?\b", r"\bsumm", r"\btotal\b", r"\badds? up\b"),
     "max", (r"\bmax\b", r"\bmaximum\b", r"\bmaxim", r"\barg-?max\b", r"\bbest\b")),
    ("overestimates", (r"\boverestimat", r"\btoo high\b", r"\bbiased (?:up|high)"),
     "underestimates", (r"\bunderestimat", r"\btoo low\b", r"\bbiased (?:down|low)")),
    ("uniform / flatter", (r"\buniform", r"\bflat", r"\bspread", r"\bmore random\b"),
     "sharper / greedy", (r"\bsharp", r"\bgreedy\b", r"\barg-?max\b", r"\bconcentrat", r"\bpeak", r"\bdeterministic")),
    ("averaged", (r"\baverag", r"\bmean of the heads\b"),
     "concatenated", (r"\bconcat",)),
    ("learned", (r"\blearn", r"\btrain(?:ed|able)\b", r"\bupdated\b"),
     "fixed", (r"\bfixed\b", r"\bconstant\b", r"\bnot learned\b", r"\bparameter-free\b", r"\bpredefined\b")),
    ("concatenated", (r"\bconcat",),
     "added", (r"\badded\b", r"\badds\b", r"\bsummed\b")),
    ("huge / large", (r"\bhuge\b", r"\blarge\b", r"\bbig", r"\bmassive\b"),
     "tiny / small", (r"\btiny\b", r"\bsmall\b", r"\bfew\b")),
    ("longer", (r"\blonger\b", r"\bmore tokens\b"),
     "shorter", (r"\bshorter\b", r"\bfewer tokens\b")),
    ("increases", (r"\bincreas", r"\bgrows?\b", r"\brises?\b", r"\bhigher\b"),
     "decreases", (r"\bdecreas", r"\bshrinks?\b", r"\bfalls?\b", r"\blower\b")),
    ("bidirectional", (r"\bbidirectional\b", r"\bevery other token\b", r"\ball (?:other )?(?:tokens|positions)\b"),
     "causal", (r"\bcausal\b", r"\blower-triangular\b", r"\bearlier\b", r"\bprevious\b", r"\bup to\b")),
    ("random", (r"\brandom", r"\bstochastic\b", r"\bsampl(?:es|ed|ing)? (?:the |a )?(?:next )?(?:token|word)s?\b"),
     "deterministic", (r"\bdeterministic", r"\bno randomness\b", r"\balways (?:picks|takes)\b")),
    ("reinforcement learning", (r"\breinforcement\b", r"\brl\b", r"\bppo\b", r"\bpolicy gradient"),
     "supervised", (r"\bsupervised\b", r"\bsft\b", r"\bcross-entropy\b", r"\bnext-token loss\b")),
    ("training data", (r"\btraining (?:data|corpus|set)\b", r"\bvocabulary\b", r"\bcorpus\b"),
     "current text", (r"\bcurrent (?:text|context)\b", r"\bgenerated so far\b",
                      r"\bso far\b", r"\bprompt\b")),
)  # fmt: skip

_AUX = re.compile(r"^\s*(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have|must)\b", re.I)
_YES = re.compile(r"^\W*(?:yes|yeah|yep|correct|true|right|indeed)\b", re.I)
_NO = re.compile(
    r"^\W*(?:no|nope|not|false|wrong|never|it doesn't|it does not|they don't|they do not|it isn't|they aren't)\b",
    re.I,
)
_ERRATUM_HEAD = re.compile(r"\s*Lines?\s[^:]{1,40}:\s*(.*?'[.,;]?)(?:\s|$)")
_QUOTE = re.compile(r"'([^']{6,}?)'(?=[\s.,;:)]|$)")


def expected_polarity(question: str, reference_answer: str) -> bool | None:
    """For a yes/no question whose reference answer opens with Yes or No: True for yes, False for no."""
    if not _AUX.match(normalize(question)):
        return None
    return _leading_polarity(reference_answer)


def _leading_polarity(text: str) -> bool | None:
    text = normalize(text)
    if _NO.match(text):
        return False
    if _YES.match(text):
        return True
    return None


def answer_polarity(question: str, answer: str) -> bool | None:
    """The answer's yes/no: its opening word, else whether the clause that restates the question's
    predicate (half of the question's content stems, at least two) affirms or negates it."""
    leading = _leading_polarity(answer)
    if leading is not None:
        return leading
    asked = content_stems(question)
    for clause in clauses(answer):
        shared = asked & clause.stems
        if len(shared) >= 2 and len(shared) >= len(asked) / 2:
            return shared <= clause.asserted
    return None


def _covers(needed: set[str] | frozenset[str], have: frozenset[str] | set[str]) -> bool:
    """All of a short claim, or three quarters of a longer one."""
    if not needed:
        return False
    hit = len(set(needed) & set(have))
    return hit == len(needed) if len(needed) <= 2 else hit >= math.ceil(0.75 * len(needed))


def _words_only(stems: frozenset[str] | set[str]) -> set[str]:
    return {s for s in stems if not s[0].isdigit()}


def negated_claims(answer: str, reference: Sequence[str], reference_answer: str = "") -> list[Contradiction]:
    """Answer clauses that affirm what a reference clause denies ("RMSNorm subtracts the mean" against
    "the mean is not subtracted"), or deny what the reference answer affirms."""
    found: list[Contradiction] = []
    answer_clauses = clauses(strip_interjection(answer))
    for text in reference:
        for ref in clauses(strip_interjection(text)):
            for core, context in ref.scopes:
                core = frozenset(_words_only(core))
                for clause in answer_clauses:
                    if not compatible_entities(clause.entities, ref.entities) or not _covers(core, clause.asserted):
                        continue
                    if context:  # about the same thing: half of what precedes the negation is there too
                        anchored = len(context & clause.asserted) >= max(1, math.ceil(len(context) / 2))
                    else:
                        others = content_stems(ref.sentence) - core
                        anchored = len(core) >= 2 or bool((clause.asserted - core) & others)
                    if anchored:
                        found.append(Contradiction("negated_claim", f"the reference says: {ref.text.strip()}"))
                        break
    for ref in clauses(strip_interjection(reference_answer)):
        for clause in answer_clauses:
            if not compatible_entities(clause.entities, ref.entities):
                continue
            if any(len(_words_only(core)) >= 2 and _words_only(core) <= ref.asserted for core, _ in clause.scopes):
                found.append(Contradiction("negated_claim", f"the reference answer says: {ref.text.strip()}"))
                break
    return _unique(found)


def _side(text: str, patterns: Iterable[str]) -> bool:
    return any(re.search(p, text) for p in patterns)


def swapped_terms(answer: str, question: str, reference_answer: str, context: Sequence[str]) -> list[Contradiction]:
    """Contrast-pair terms the answer affirms where the closest reference clause affirms the other side
    (or denies this one)."""
    found: list[Contradiction] = []
    asked = content_stems(question)
    primary = clauses(strip_interjection(reference_answer))
    secondary = [c for text in context for c in clauses(strip_interjection(text))]
    for clause in clauses(strip_interjection(answer)):
        said_text = affirmed(clause.text).lower()
        for a_name, a_side, b_name, b_side in CONTRAST_PAIRS:
            for said, said_name, other, other_name in (
                (a_side, a_name, b_side, b_name),
                (b_side, b_name, a_side, a_name),
            ):
                if not _side(said_text, said) or _side(said_text, other):
                    continue
                closest = _closest(clause, asked, primary, said, other, minimum=0)
                if closest is None:
                    closest = _closest(clause, asked, secondary, said, other, minimum=2)
                if closest is None:
                    continue
                ref_yes = affirmed(closest.text).lower()
                ref_no = negated_text(closest.text).lower()
                if (_side(ref_yes, other) and not _side(ref_yes, said)) or _side(ref_no, said):
                    found.append(
                        Contradiction(
                            "swapped_term",
                            f"says {said_name} where the reference says {other_name}: {closest.text.strip()}",
                        )
                    )
    return _unique(found)


def _closest(
    clause: Clause,
    asked: set[str],
    candidates: Sequence[Clause],
    said: Sequence[str],
    other: Sequence[str],
    *,
    minimum: int,
) -> Clause | None:
    """The reference clause most about the same thing as the answer clause (shared stems, the
    question's stems counting too), among those that use either side of the pair."""
    topic = set(clause.stems) | asked
    pair_words = {s for s in topic if _side(s, said) or _side(s, other)}
    best: tuple[int, Clause] | None = None
    for ref in candidates:
        ref_text = normalize(ref.text).lower()
        if not (_side(ref_text, said) or _side(ref_text, other)):
            continue
        if not compatible_entities(clause.entities, ref.entities):
            continue
        score = len((topic - pair_words) & ref.stems)
        if best is None or score > best[0]:
            best = (score, ref)
    return best[1] if best is not None and best[0] >= minimum else None


_PHRASE = r"((?:[\w/-]+ ){0,3}[\w/-]+)"
_SHARE_ACTIVE = re.compile(_PHRASE + r" (?:to )?shares? (?:a |one |the |a single |its )?" + _PHRASE)
_SHARE_AMONG = re.compile(
    r"\bshares? (?:a |one |the |a single )?" + _PHRASE + r" (?:among|across|between|with) (?:all |the )?" + _PHRASE
)
_SHARE_PASSIVE = re.compile(
    _PHRASE + r" (?:is|are) shared (?:by|among|across|between) (?:all |the |a group of |groups of )?" + _PHRASE
)


def share_relations(text: str) -> list[tuple[set[str], set[str]]]:
    """(sharer, shared) stem sets of every "X shares Y", "shares Y among X" and "Y is shared by X"."""
    found: list[tuple[set[str], set[str]]] = []
    for clause in clauses(strip_interjection(text)):
        lowered = affirmed(clause.text).lower()
        for match in _SHARE_AMONG.finditer(lowered):
            found.append((content_stems(match.group(2)), content_stems(match.group(1))))
        for match in _SHARE_PASSIVE.finditer(lowered):
            found.append((content_stems(match.group(2)), content_stems(match.group(1))))
        if not _SHARE_AMONG.search(lowered):
            for match in _SHARE_ACTIVE.finditer(lowered):
                found.append((content_stems(match.group(1)), content_stems(match.group(2))))
    return [(a - b, b - a) for a, b in found if a - b and b - a]


def swapped_roles(answer: str, reference: Sequence[str]) -> list[Contradiction]:
    """ "One query head is shared by a group of key/value heads" against "query heads share one
    key/value head": what shares and what is shared are the other way round."""
    found: list[Contradiction] = []
    theirs = [r for text in reference for r in share_relations(text)]
    for sharer, shared in share_relations(answer):
        for ref_sharer, ref_shared in theirs:
            if shared & ref_sharer and sharer & ref_shared and not (shared & ref_shared) and not (sharer & ref_sharer):
                found.append(
                    Contradiction(
                        "swapped_term",
                        f"has {' '.join(sorted(shared))} shared by {' '.join(sorted(sharer))}; in the reference "
                        f"{' '.join(sorted(ref_sharer))} share {' '.join(sorted(ref_shared))}",
                    )
                )
                return found
    return found


def swapped_entities(answer: str, reference: Sequence[str]) -> list[Contradiction]:
    """An answer clause that names one thing (Pre-LN) but says what the reference says of another
    (Post-LN), when the reference also has a clause about the first."""
    found: list[Contradiction] = []
    refs = [c for text in reference for c in clauses(strip_interjection(text)) if c.entities]
    for clause in clauses(strip_interjection(answer)):
        own = set(entities(clause.text))
        if not own:
            continue
        said = set(clause.asserted) - {e.replace("-", "") for e in own}
        scored = sorted(((len(said & (r.asserted - _entity_stems(r))), r) for r in refs), key=lambda x: -x[0])
        if not scored or scored[0][0] < 2:
            continue
        best_score, best = scored[0]
        if set(best.entities) & own:
            continue
        about_own = [score for score, r in scored if set(r.entities) & own]
        others = set(best.entities) - {e for _, r in scored if set(r.entities) & own for e in r.entities}
        if about_own and best_score > about_own[0] and others:
            theirs = ", ".join(sorted(others))
            found.append(
                Contradiction(
                    "swapped_term",
                    f"says of {', '.join(sorted(own))} what the reference says of {theirs}: {best.text.strip()}",
                )
            )
    return _unique(found)


def _entity_stems(clause: Clause) -> set[str]:
    return {stem(w) for e in clause.entities for w in re.split(r"[-/]", e)} | {
        e.replace("-", "") for e in clause.entities
    }


#: Verbs whose subjects play opposite roles: "D maximises, G minimises".
OPPOSED_VERBS: tuple[tuple[str, str], ...] = (("maxim", "minim"), ("increas", "decreas"))
_ROLE_SUBJECT = re.compile(r"\b([A-Za-z][\w-]{0,20})\s+(?:is\s+|are\s+)?(\w+(?:is|iz)es|increases|decreases)\b")
_ROLE_OVER = re.compile(r"\b(\w+(?:is|iz)ed|increased|decreased)\s+(?:over|by|with respect to)\s+([A-Za-z][\w-]{0,20})")
_ROLE_SUBSCRIPT = re.compile(r"\b(max|min)_\{?([A-Za-z]\w*)")


def verb_roles(text: str) -> dict[str, set[str]]:
    """Which side of each opposed verb pair a named actor takes: {"d": {"maxim"}, "g": {"minim"}}."""
    roles: dict[str, set[str]] = {}
    source = affirmed(normalize(text))

    def add(actor: str, verb: str) -> None:
        for pair in OPPOSED_VERBS:
            for side in pair:
                if verb.lower().startswith(side):
                    roles.setdefault(actor.lower(), set()).add(side)

    for match in _ROLE_SUBJECT.finditer(source):
        add(match.group(1), match.group(2))
    for match in _ROLE_OVER.finditer(source):
        add(match.group(2), match.group(1))
    for match in _ROLE_SUBSCRIPT.finditer(source):
        add(match.group(2), "maxim" if match.group(1) == "max" else "minim")
    return roles


def opposed_roles(answer: str, reference: Sequence[str]) -> list[Contradiction]:
    """ "which G maximises and D minimises" against "min_G max_D": the actors' roles are swapped."""
    theirs: dict[str, set[str]] = {}
    for text in reference:
        for actor, sides in verb_roles(text).items():
            theirs.setdefault(actor, set()).update(sides)
    found: list[Contradiction] = []
    for actor, sides in verb_roles(answer).items():
        expected = theirs.get(actor)
        if expected and len(expected) == 1 and not sides & expected:
            found.append(
                Contradiction(
                    "swapped_term", f"{actor} {next(iter(sides))}ises; in the reference it {next(iter(expected))}ises"
                )
            )
    return found


_ORDER = re.compile(r"\b(before|after)\s+(?:the\s+|a\s+|an\s+)?([a-z][\w-]+)", re.IGNORECASE)


def order_flips(answer: str, reference: Sequence[str]) -> list[Contradiction]:
    """ "after the softmax" where the reference only ever says "before the softmax" (same object)."""
    ref_sides: dict[str, set[str]] = {}
    for text in reference:
        for match in _ORDER.finditer(affirmed(text)):
            ref_sides.setdefault(stem(match.group(2)), set()).add(match.group(1).lower())
    found: list[Contradiction] = []
    for match in _ORDER.finditer(affirmed(answer)):
        side, obj = match.group(1).lower(), stem(match.group(2))
        if obj in STOPWORDS:
            continue
        expected = ref_sides.get(obj)
        if expected and side not in expected:
            found.append(
                Contradiction(
                    "swapped_term", f"says {side} the {match.group(2)}; the reference says {next(iter(expected))} it"
                )
            )
    return _unique(found)


_ARITHMETIC = re.compile(
    r"(?<![\w.^/])((?:\(?\s*-?\d+(?:\.\d+)?\s*\)?\s*[-+*/x]\s*)+\(?\s*-?\d+(?:\.\d+)?\s*\)?)"
    r"\s*=\s*(-?\d+(?:\.\d+)?)(?![\d.]*\s*[-+*/x^(])"
)


def arithmetic_errors(answer: str) -> list[Contradiction]:
    """Plain arithmetic the answer gets wrong ("512 / 8 = 32"): +, -, *, x, / and brackets only."""
    found: list[Contradiction] = []
    for match in _ARITHMETIC.finditer(normalize(answer)):
        expression, stated = match.group(1), float(match.group(2))
        value = _evaluate(expression.replace("x", "*"))
        if value is not None and not close(stated, value, rel_tol=0.01):
            found.append(Contradiction("number", f"{expression.strip()} is {value:.4g}, not {match.group(2)}"))
    return found


def _evaluate(expression: str) -> float | None:
    """Evaluate + - * / and brackets over decimals, safely (no eval)."""
    tokens = re.findall(r"\d+(?:\.\d+)?|[-+*/()]", expression)
    if "".join(tokens) != re.sub(r"\s+", "", expression):
        return None
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def atom() -> float:
        token = take()
        if token == "(":
            value = expr()
            if take() != ")":
                raise ValueError("unbalanced")
            return value
        if token == "-":
            return -atom()
        return float(token)

    def term() -> float:
        value = atom()
        while peek() in ("*", "/"):
            if take() == "*":
                value *= atom()
            else:
                divisor = atom()
                value = value / divisor
        return value

    def expr() -> float:
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    try:
        result = expr()
    except (ValueError, IndexError, ZeroDivisionError):
        return None
    return result if pos == len(tokens) else None


def known_error_quotes(errata: Iterable[str], supported_by: Iterable[str] = ()) -> list[str]:
    """The quoted wrong claims of errata entries ("Line 1184: ... 'until it exceeds' ..."): quotes with
    at least three content words, unless a clause of `supported_by` (the explanation) says the same."""
    support = [c.stems for text in supported_by for c in clauses(text) if not c.negated]
    quotes: list[str] = []
    for entry in errata:
        head = _ERRATUM_HEAD.match(entry)
        if head is None:
            continue
        for match in _QUOTE.finditer(head.group(1)):
            quote = re.sub(r"\s*(?:\.\.\.|…)\s*", " ", match.group(1)).strip()
            needed = {s for s in content_stems(quote) if not s[0].isdigit()}
            if len(needed) >= 3 and not any(_covers(needed, stems) for stems in support):
                quotes.append(quote)
    return quotes


def strip_quotes(text: str) -> str:
    """Errata text without its quoted wrong claims, so only the correction remains as reference."""
    return _QUOTE.sub(" ", text)


def repeated_errors(answer: str, quotes: Iterable[str]) -> list[Contradiction]:
    """Known wrong claims (quotes from errata) that an answer's sentence affirms."""
    found: list[Contradiction] = []
    by_sentence: dict[str, set[str]] = {}
    for clause in clauses(strip_interjection(answer)):
        by_sentence.setdefault(clause.sentence, set()).update(clause.asserted | _joined(affirmed(clause.text)))
    for quote in quotes:
        needed = _words_only(content_stems(quote))
        if len(needed) >= 2 and any(_covers(needed, have) for have in by_sentence.values()):
            found.append(Contradiction("known_error", f"repeats a known error in the notes: '{quote}'"))
    return _unique(found)


def _joined(text: str) -> set[str]:
    """Stems of hyphen/space-joined word pairs ("feed-forward" also as "feedforward")."""
    tokens = words(text)
    return {stem(a + b) for a, b in itertools.pairwise(tokens)}


def disagreeing_numbers(answer: str, question: str, reference_answer: str) -> list[Contradiction]:
    """Numbers an answer clause gives where the closest reference-answer clause gives other numbers."""
    found: list[Contradiction] = []
    asked = content_stems(question)
    in_question = [n.value for n in extract_numbers(question)]
    refs = [c for c in clauses(reference_answer) if extract_numbers(c.text)]
    for clause in clauses(strip_interjection(answer)):
        mine = [n for n in extract_numbers(clause.text) if not n.negated]
        mine = [n for n in mine if not any(close(n, q) for q in in_question)]
        if not mine or not refs:
            continue
        topic = (set(clause.stems) | asked) - {stem(w) for w in ("one", "two", "three")}
        best = max(refs, key=lambda r: len(topic & r.stems))
        if len(set(clause.stems) & best.stems) < 2:
            continue
        theirs = [n.value for n in extract_numbers(best.text) if not n.negated]
        if theirs and not any(close(n, t) for n in mine for t in theirs):
            found.append(Contradiction("number", f"{mine[0].text} disagrees with the reference: {best.text.strip()}"))
    return _unique(found)


def computed_claims(answer: str, computed: Mapping[str, Any]) -> list[Contradiction]:
    """Values the answer gives for a computed quantity by name ("y = 0.669", "the cross-entropy is
    4 bits") that disagree with the computation."""
    found: list[Contradiction] = []
    for key, value in computed.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        name = [p for p in key.lower().split("_") if p]
        claimed = claimed_value(answer, name)
        if claimed is not None and not close(claimed, float(value)):
            label = key.replace("_", " ")
            found.append(Contradiction("number", f"{label} is {value:.4g}, not {claimed.text}"))
    return found


def rejected_numbers(answer: str, rejected: Sequence[float], expected: Sequence[float]) -> list[Contradiction]:
    """Values the reference explicitly rules out ("not 0.669") that the answer states."""
    check = check_numbers(answer, list(expected), list(rejected))
    return [Contradiction("number", f"{v:g} is a known wrong value") for v in check.rejected_used]


_EXCLUSIVE = re.compile(r"^\W*(?:only|just|solely)\b", re.IGNORECASE)
_INCLUSIVE = re.compile(r"^\W*(?:both|all of them)\b|\bas well as\b", re.IGNORECASE)


def exclusivity(answer: str, reference_answer: str) -> list[Contradiction]:
    """"Both X and Y" where the reference answer is "Only X ..."."""
    if _EXCLUSIVE.match(normalize(reference_answer)) and _INCLUSIVE.search(affirmed(strip_interjection(answer))):
        return [Contradiction("swapped_term", f"includes more; the reference says: {reference_answer.strip()}")]
    return []


def find_contradictions(
    answer: str,
    question: str,
    *,
    reference_answer: str = "",
    context: Sequence[str] = (),
    errata: Sequence[str] = (),
) -> list[Contradiction]:
    """Every check above against the reference answer, the supporting text and the errata."""
    found: list[Contradiction] = []
    expected = expected_polarity(question, reference_answer)
    if expected is not None:
        said = answer_polarity(question, answer)
        if said is not None and said != expected:
            found.append(
                Contradiction(
                    "polarity",
                    f"answers {'yes' if said else 'no'}; the reference answer is {'yes' if expected else 'no'}",
                )
            )
    corrections = [strip_quotes(e) for e in errata]
    found += negated_claims(answer, [reference_answer, *context, *corrections], reference_answer)
    found += swapped_terms(answer, question, reference_answer, [*context, *corrections])
    found += swapped_roles(answer, [reference_answer, *context, *corrections])
    found += swapped_entities(answer, [reference_answer, *context])
    found += opposed_roles(answer, [reference_answer, *context])
    found += order_flips(answer, [reference_answer, *context])
    found += arithmetic_errors(answer)
    found += exclusivity(answer, reference_answer)
    found += repeated_errors(answer, known_error_quotes(errata, [reference_answer, *context]))
    found += disagreeing_numbers(answer, question, reference_answer)
    return _unique(found)


def _unique(items: list[Contradiction]) -> list[Contradiction]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in items:
        if (item.kind, item.reason) not in seen:
            seen.add((item.kind, item.reason))
            kept.append(item)
    return kept


__all__ = [
    "CONTRAST_PAIRS",
    "OPPOSED_VERBS",
    "Contradiction",
    "ContradictionKind",
    "answer_polarity",
    "arithmetic_errors",
    "computed_claims",
    "disagreeing_numbers",
    "exclusivity",
    "expected_polarity",
    "find_contradictions",
    "known_error_quotes",
    "negated_claims",
    "opposed_roles",
    "order_flips",
    "rejected_numbers",
    "repeated_errors",
    "share_relations",
    "strip_quotes",
    "swapped_entities",
    "swapped_roles",
    "swapped_terms",
    "verb_roles",
]
