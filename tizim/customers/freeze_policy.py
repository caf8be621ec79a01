"""When a match at freeze level freezes a customer's accounts on its own, and when it opens
its case and leaves the freeze to an analyst.

Recommendation 6 asks for a designated person's funds to be frozen without delay; tizim
freezes provisionally on the match, and people confirm or release. A match whose own evidence
speaks against it is not grounds for blocking a customer's money unseen: it opens its case
(the same case, the same 24-hour clock) and freezes nothing until an analyst confirms it.
Each check below is one small function of the match's explanation (the engine's features)
and the customer's names; the first that applies is the reason on the hit ("not frozen: ...").

Measured on synthetic books (bench/customers_scale.py, docs/customers.md): the customers
frozen in error fall by about a third; the planted listed persons stay alerted, and frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Indel

from tizim.screening.normalize import CONNECTOR_FOLDS, canon_token, fold_token, name_tokens

ACRONYM_LETTERS = 3  # a word this short is an acronym's length, shared by many unrelated names
SAME_WORD = 0.8  # folded words this similar are one word's spellings (Nurlan, Nurzhan stay one)
# words that say what kind of company, not which: a listed name keeps them where a bank's
# record has another ("Karakum Sea Shipping Company" is "Karakum Sea Shipping LLP"). The
# engine's generic words (normalize.py) are wider: "airlines" or "union" is part of which.
LEGAL_FORM_FOLDS = frozenset(fold_token(canon_token(w)) for w in (
    "company", "companies", "co", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp",
    "plc", "gmbh", "ag", "sa", "sarl", "bv", "nv", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "ao", "oao", "zao", "pao",
    "too", "tov", "liability", "joint", "stock", "public", "private", "closed", "open", "firm", "firma",
    "obshchestvo", "obshestvo", "obschestvo", "tovarishchestvo", "ogranichennoi", "ogranichennoy",
    "otvetstvennostyu", "otvetstvennostiu", "aktsionernoe", "aktsionernoye", "srl", "spa", "ltda", "sas",
    "pte", "fze", "fzco", "fzc", "bhd", "sdn"))


@lru_cache(maxsize=100_000)
def name_words(name: str, schema: str) -> tuple[str, ...]:
    """A name's words as the engine folds them (legal forms and titles left out)."""
    return tuple(fold for token in name_tokens(name, schema) if (fold := fold_token(token)))


def identical_identifier(explanation: dict[str, Any]) -> bool:
    ident = explanation.get("identifier")
    return ident is not None and bool(ident.get("floor"))


def corroborated(explanation: dict[str, Any]) -> bool:
    """Does something beside the name agree: a birth date that adds (or takes nothing), an
    identical identifier (its floor) or one that adds? (the engine's `_result` fields)"""
    born = explanation.get("birth_date")
    if born is not None and born["adjustment"] >= 0:
        return True
    ident = explanation.get("identifier")
    return identical_identifier(explanation) or (ident is not None and ident["adjustment"] >= 0)


def one_common_word(explanation: dict[str, Any]) -> str | None:
    """One word of the name met, and that word a short one ("Көк" read as the listed
    acronym CUC) or a dictionary word read in translation (ТОО "Шығыс", East LLP, meeting
    every listed name with "East" in it): one of many customers' names."""
    if corroborated(explanation):
        return None
    met = {str(pair[0]) for pair in explanation.get("tokens") or []}
    if len(met) != 1:
        return None
    word = next(iter(met))
    if len(word) <= ACRONYM_LETTERS:
        return f"one short word met alone ({word!r})"
    for written, concept in explanation.get("translated") or []:
        if fold_token(canon_token(str(concept))) == word:
            return f"one dictionary word met alone ({written!r} = {concept})"
    return None


def birth_date_disagrees(explanation: dict[str, Any]) -> str | None:
    """The customer's birth date is not the listed one (another day, another year). The
    engine takes a little off the score for it, and a namesake often still reaches the
    freeze threshold; an identical identifier outweighs it (a date mistyped by the bank)."""
    born = explanation.get("birth_date")
    if born is None or born["adjustment"] >= 0 or identical_identifier(explanation):
        return None
    return f"the birth date disagrees ({born['detail']})"


def _missing_listed_words(explanation: dict[str, Any], schema: str) -> tuple[list[str], set[str]]:
    """The listed name's words no word of the customer's met, and the customer's words met."""
    pairs = explanation.get("tokens") or []
    if not pairs or not str(explanation.get("method", "")).startswith("tokens"):
        return [], set()  # a glued or acronym match: its words are not pairs
    met_listed = {str(pair[1]) for pair in pairs}
    listed = name_words(str(explanation.get("matched_name") or ""), schema)
    return [w for w in listed if w not in met_listed], {str(pair[0]) for pair in pairs}


def organization_name_partly_met(explanation: dict[str, Any]) -> str | None:
    """An organization whose name meets only part of the listed name ("Каспий" LLP and
    CASPIAN AIRLINES, "Development" LLP and UNION DEVELOPMENT GROUP): legal forms aside,
    a listed company's name is what it registered, and a customer's name lacking one of
    its words is most often another company."""
    if corroborated(explanation):
        return None
    missing, _ = _missing_listed_words(explanation, "Organization")
    missing = [w for w in missing if w not in LEGAL_FORM_FOLDS and w not in CONNECTOR_FOLDS]
    if not missing:
        return None
    return f"the listed name's {', '.join(repr(w) for w in missing[:3])} not in the customer's name"


def person_names_differ(explanation: dict[str, Any], names: Sequence[str]) -> str | None:
    """Both names keep a part the other lacks: the listed "Sergei Vladimirovich BOGDANOV" and
    the customer "Богданов Сергей Максимович", matched through a shorter alias. A name the
    bank holds shorter than the listed one (no patronymic) is not a difference; two
    different father's or given names are. All of the customer's names count, since the
    engine scores the best-matching one alone."""
    if corroborated(explanation):
        return None
    missing, met_query = _missing_listed_words(explanation, "Person")
    if not missing:
        return None
    listed = name_words(str(explanation.get("matched_name") or ""), "Person")
    for name in names:
        extra = [w for w in name_words(name, "Person")
                 if w not in met_query and not any(Indel.normalized_similarity(w, x) >= SAME_WORD for x in listed)]
        if extra:
            return f"the names differ in a part (listed {missing[0]!r}, the customer's {extra[0]!r})"
    return None


def freeze_withheld(explanation: dict[str, Any], names: Sequence[str], person: bool) -> str | None:
    """Why a match at freeze level opens its case without freezing (None: it freezes)."""
    return (one_common_word(explanation) or birth_date_disagrees(explanation)
            or (person_names_differ(explanation, names) if person else organization_name_partly_met(explanation)))
