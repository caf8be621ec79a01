"""The scoring features, each a small module with its rule and the explanation line it adds.

Query side:
  query.py        the query name prepared once: folds, weights, acronyms, name ends
  lookup.py       the listed words each query word meets (spelling, typos, weak near spellings)
  spelling.py     word similarity, as folded and as written
  syllables.py    names read from Han, kana, Hangul (syllable for syllable) and abjad scripts
  nicknames.py    a given name's nicknames and short forms
  digits.py       digits typed for letters ("Ig0r Sech1n")
Name score (combined in combine.py, in its documented order):
  alignment.py    which query part meets which listed part; strong and weak pairs
  initials.py     an initial meets the given name it begins
  coverage.py     matched weight on both sides; parts both names keep; generic-word slack
  glued.py        split and glued words, the whole names or the parts left over
  organizations.py  one-word organization names in another romanization; generic words only
  family.py       a person's name: one part, family name, name ends, father's name, a child
Entity score:
  dates.py, countries.py, identifiers.py  adjustments to the best name score
"""
