"""The query name, prepared once for all its candidates: its words as folds, what each
meets in the lists (lookup.py), and each word's weight (its rarity; a generic or legal-form
word, misspelled or not, a quarter of it at most), its acronyms, a person's name ends."""

from __future__ import annotations

from tizim.screening.features.base import NAME_PREFIXES, Context, QueryName
from tizim.screening.features.family import fathers
from tizim.screening.features.lookup import expansion, with_swaps
from tizim.screening.features.spelling import (
    GENERIC_DROPPED,
    misspelled_generic,
    swapped_generic,
    written,
)
from tizim.screening.normalize import (
    GENERIC_FOLDS,
    acronyms,
    bound_mask,
    fold_token,
    is_org_schema,
    is_patronymic_fold,
    looks_like_acronym,
    name_tokens,
    without_legal_form,
)


def prepare(ctx: Context, name: str, schema: str) -> QueryName | None:
    tok_schema = None if schema in ("Thing", "LegalEntity") else schema
    folds = [fold_token(t) for t in name_tokens(name, tok_schema)]
    folds = [f for f in folds if f]
    acr = None
    if (is_org_schema(schema) or schema == "Thing") and sum(c.isupper() for c in name) >= 2:
        acr = looks_like_acronym(name)
    if not folds:
        return None
    org = is_org_schema(schema)
    expansions = [expansion(ctx, f) for f in folds]
    exps = [e for e, _, _ in expansions]
    if not all(ctx.known(f) for f in folds):
        exps = with_swaps(ctx, name, folds, exps)
    # vowels that differ are how names are romanized (Zawahiri / Zavahry), not how a
    # company's own name is spelled: for one, a vowels-only near spelling is weak
    # ("ALMACAES" / "ALOMEX")
    typos = [t | v if org else t for _, t, v in expansions]
    ref = ctx.ref
    idx = ref.index
    person = schema == "Person"
    weights = []
    generic = []
    generic_exact = []
    for f, exp in zip(folds, exps if ref is ctx else [expansion(ref, f)[0] for f in folds], strict=True):
        if len(f) == 1 and not f.isdigit():
            # an initial; in an organization's name a conjunction ("y", "i", "s")
            weights.append(0.1 if org else 0.3)
            generic.append(org)
            generic_exact.append(org)
            continue
        if exp:
            # of words as near, a company's misspelled legal form ("JaINT" -> jaint:
            # joint and saint), a person's name; then the rarer, as a word no list
            # has is rare (not the vocabulary's order, which any list update changes)
            best = max(exp, key=lambda t: (exp[t], idx.vocab_generic[t] != person and (person or exp[t] >= 0.8),
                                           idx.vocab_weight[t]))
            w = idx.vocab_weight[best]
            # a person's word a letter off a generic company word is a name ("Nuynt" /
            # "joint"), not a misspelled legal form
            gen = idx.vocab_generic[best] and exp[best] >= (0.8 if not person else 1.0)
        else:
            w = 1.0  # a word no list has: rare, and unmatched
            gen = org and f in GENERIC_FOLDS  # unless a legal form no listed name keeps ("DMCC")
        if not gen and not person and (not exp or exp.get(idx.vocab_id.get(f, -1)) is None):
            gen = misspelled_generic(f)
        if not gen and org and w >= 0.9 and len(f) >= 6:
            # a legal-form word typed with two letters swapped ("Liabliity"): rare even
            # where some list has the same slip
            gen = swapped_generic(name, f)
        if not gen and org:
            # or with a letter dropped, which canonical spelling can leave too short
            # for the lookup, or make another listed word ("STCK" -> stk)
            gen = written(name).get(f) in GENERIC_DROPPED
        weights.append(min(w, 0.25) if gen else w)
        generic.append(gen)
        generic_exact.append(gen and f in GENERIC_FOLDS)
    # a legal form is no word of the name: its letter must not make an acronym
    own: set[str] = set()
    full: frozenset[str] = frozenset()
    if org:
        bare = without_legal_form(name)
        own = acronyms(bare)
        full = frozenset(acronyms(bare, prefixes=False)) if own else frozenset()
    ends: tuple[int, ...] = ()
    if schema == "Person":
        dist = [i for i, f in enumerate(folds) if weights[i] > 0.1 and f not in NAME_PREFIXES
                and len(f) > 1 and not is_patronymic_fold(f)]
        if len(dist) >= 2:
            ends = tuple(i for i in dict.fromkeys((dist[0], dist[-1])) if weights[i] >= 0.5)
    return QueryName(name, folds, weights, generic, exps, sum(weights) or 1.0,
                     "".join(folds), "".join(reversed(folds)), acr, own,
                     schema == "Person", full, typos, any(typos), bound_mask(folds), ends,
                     generic_exact, fathers=fathers(folds) if person else 0,
                     vowels=[v for _, _, v in expansions],
                     initials=person and any(len(f) == 1 for f in folds))
