"""Fact patterns: sentences to designations, relationships and events.

Every pattern here is general (a verb frame, not a sentence) and documented in docs/intel.md:

designation  "approved a (revised) list of banned terrorist ..." -> list_approved
             "organizations ... banned are A, B and C"            -> banned (each item)
             "asked/requested/urged ... to ban/add X"             -> requested (not a designation)
             "added X (and Y) to the/its list"                     -> added
             "<authority> banned X"                                -> banned
             "X is banned in A, B and C"                           -> banned, one per jurisdiction
             "designated N organizations as ..."                   -> designated (count N)
relationship "ties between A, B and C"                             -> tied_to, each pair
             "X ... ties/links/connections to|with A and B"        -> tied_to
             "X, an organization affiliated with Y"; "X is (like Z) affiliated with Y" -> affiliated_with
             "P, head/leader of O", "P headed O('s operations)"    -> leader_of
             "P served in O", "P, a member of O", "membership in O"-> member_of
             "... were trained in/at <place>"                      -> trained_in
events       arrest ("arrested/detained/caught/captured", "arrests of", "held N in detention"),
             extradition ("extradited/deported/transferred/handed over ... to <country>"),
             attack (bombings, attacks, firefights with killed/injured counts), sentence
             ("sentenced ... to N years"), raid ("shut down/dismantled/disrupted/broke up/foiled"),
             cooperation ("agreement/treaty/declaration/agreed to/discussed ... cooperation"),
             exercise ("held/hosted/participated in ... exercise/drill/maneuvers").

Nothing is taken from quoted speech, negated clauses ("has not taken action to ban them") or
plans ("plan to hold"). An event's date is the one in its own clause, else a fronted date or a
parallel clause's (`Extractor.event_date_for`), else the paragraph's when the sentence goes on
with the same story and only its year when not (`Extractor.carried_date`); a present perfect
without a date states a practice. A designation without a date of its own takes the last date
of its paragraph, else the year its section is headed by, else the report year of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tizim.intel.dates import NUMBER_WORDS, DateMention, event_date
from tizim.intel.names import (
    LEAD,
    acronym_matches,
    candidates,
    is_acronym,
    is_org_like,
    name_key,
    place_code,
    strip_name,
)
from tizim.intel.sentences import Sentence

EVENT_KINDS = ("arrest", "extradition", "attack", "sentence", "raid")
COOPERATION_KINDS = ("cooperation", "exercise")
KINDS = ("designation", "relationship", *EVENT_KINDS, *COOPERATION_KINDS)


@dataclass
class Fact:
    kind: str
    action: str | None
    sentence: Sentence
    subject: str | None = None
    object: str | None = None
    date: str | None = None
    place: str | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        subj = name_key(self.subject) if self.subject else None
        obj = name_key(self.object) if self.object else None
        extra = self.data.get("jurisdiction") if self.kind == "designation" else None
        if self.kind == "cooperation":
            return (self.kind, self.date or self.sentence.seq)
        if self.kind == "exercise":
            return (self.kind, self.date or self.sentence.seq, (self.data.get("parties") or [None])[0])
        if self.kind in EVENT_KINDS:
            return (self.kind, self.sentence.seq, subj, obj, self.date)
        return (self.kind, self.action, subj, obj, self.date, extra)


@dataclass
class Context:
    """What the patterns know about the document beyond one sentence."""

    focus: str | None = None  # the country the document is about
    report_year: int | None = None  # "Country Reports on Terrorism 2010"
    known_orgs: dict[str, str] = field(default_factory=dict)  # name key -> display name
    linked: dict[str, tuple[str, str]] = field(default_factory=dict)  # name key -> (entity id, caption)
    last_designated: list[str] = field(default_factory=list)
    para: int | None = None
    para_date: str | None = None
    para_kinds: set[str] = field(default_factory=set)  # fact kinds of the sentence that set para_date
    para_places: list[str] = field(default_factory=list)
    prev_sentence: Sentence | None = None
    prev_persons: list[str] = field(default_factory=list)
    last_attack: Fact | None = None
    heading_orgs: list[str] = field(default_factory=list)
    designated_keys: set[str] = field(default_factory=set)
    section_date: str | None = None  # organizations any designation names


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+|(?:twenty|thirty|forty|fifty)-(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|twenty|thirty)"


def number(word: str) -> int | None:
    raw = word.lower().replace(",", "")
    if raw.isdigit():
        value = int(raw)
        return None if 1900 <= value <= 2100 and "," not in word else value
    return NUMBER_WORDS.get(raw)


# Finite verbs, enough to tell a new clause ("..., and Kyrgyzstan deported ...") from a list
# ("an ethnic Uzbek and alleged member"): an -ed word counts when an object or adverbial follows.
_FINITE = (r"(?:(?:[a-z]{2,}ed|held|caught|set|shot|fled|took|met|led|blew|sent|gave|found|sought|began|ran"
           r"|fought|struck|hit|made)(?=\s+(?:the|a|an|him|her|them|it|his|their|its|in|on|to|at|with|from|by"
           r"|into|one|two|three|four|five|six|seven|eight|nine|ten|more|about|some|several|over|[A-Z0-9]))"
           r"|was|were|is|are)")
_CONJUNCT = re.compile(
    r"\s*;\s*"
    rf"|,\s+(?:and|but|while|whereas)\s+(?=(?:[\w\-’']+\s+){{0,8}}?(?:\w+ly\s+)?{_FINITE}\b)"
    r"|,\s+but\s+"
    rf"|\s+(?:and|but)\s+(?=(?:(?:then|later|subsequently|also|again)\s+)?(?:(?:in|on|during|by)\s+[^,.;]{{1,30}}?\s+)?{_FINITE}\b)"
)
# Words that make a sentence continue the previous one's story ("The KNB accused him ...").
_BACK_REFERENCE = re.compile(
    r"\b(?:he|him|his|she|her|they|them|their|this|these|those|then|later|subsequently|afterwards)\b"
    r"|\bthe\s+(?:men|women|detainees?|suspects?|defendants?|attackers?|bombers?|perpetrators?|militants?)\b",
    re.I,
)
_PRESENT_PERFECT = re.compile(r"\b(?:has|have)\s+(?:\w+ly\s+)?(?:been\s+)?$")


def conjuncts(text: str) -> list[tuple[int, int]]:
    """The clauses of a sentence: split at ";", ", but" and "and" before a new finite verb."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _CONJUNCT.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _negated(text: str, pos: int) -> bool:
    # Case-sensitive: "may" is a modal, "May" a month.
    before = text[max(0, pos - 40):pos]
    return bool(re.search(r"\b(?:[Nn]ot|[Nn]ever|[Nn]o|n't|[Rr]efrain from|[Pp]lans? to|may|might|would|will|could)\b(?:\s+\S+){0,3}\s*$", before))


def split_items(region: str) -> list[str]:
    """"A, B (in X), and the C" -> ["A", "B", "C"]; parentheses never split."""
    depth = 0
    parts: list[str] = []
    current = ""
    for ch in region:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch in ",;" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    items: list[str] = []
    for part in parts:
        for piece in re.split(r"\s+(?:and|or|as well as)\s+", " " + part + " "):
            piece = re.sub(r"^\s*(?:and|or)\s+", "", piece)
            name = strip_name(piece)
            if name:
                items.append(name)
    return items


def _is_name(item: str) -> bool:
    return bool(item) and (item[0].isupper() or is_acronym(item)) and len(item) > 1


class Extractor:
    """Runs every pattern over a document's sentences, in order."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- helpers ---------------------------------------------------------------------

    def canonical(self, name: str) -> str:
        """The document's long form for an acronym ("HuT" -> "Hizb ut-Tahrir") when it has one."""
        name = strip_name(name)
        if is_acronym(name):
            for known in self.ctx.known_orgs.values():
                if acronym_matches(name, known):
                    return known
        return name

    def orgs_in(self, sentence: Sentence, lo: int = 0, hi: int | None = None) -> list[tuple[int, str]]:
        """Organization-like names in a part of the sentence, with their positions."""
        text = sentence.text
        hi = len(text) if hi is None else hi
        found: list[tuple[int, str]] = []
        for span in candidates(text[lo:hi]):
            name = re.sub(r"['’]s$", "", span.text)  # "JCAM's operations"
            key = name_key(name)
            if place_code(name) and not is_org_like(name):
                continue
            if key in self.ctx.known_orgs or key in self.ctx.linked or is_org_like(name):
                found.append((lo + span.start, self.canonical(name)))
        return found

    def persons_in(self, sentence: Sentence, lo: int = 0, hi: int | None = None) -> list[tuple[int, str]]:
        text = sentence.text
        hi = len(text) if hi is None else hi
        out = []
        for span in candidates(text[lo:hi]):
            words = span.text.split()
            if not 2 <= len(words) <= 4 or is_org_like(span.text) or place_code(span.text):
                continue
            if any(place_code(w) for w in words):
                continue
            out.append((lo + span.start, span.text))
        return out

    def date_for(self, dates: list[DateMention], lo: int = 0, hi: int | None = None) -> str | None:
        inside = [d for d in dates if d.event and d.start >= lo and (hi is None or d.start < hi)]
        if inside:
            return inside[0].value
        first = event_date(dates)
        if first is not None:
            return first.value
        return self.ctx.para_date

    def event_date_for(self, kind: str, s: Sentence, dates: list[DateMention], pos: int, lo: int = 0,
                       hi: int | None = None, same: tuple[int, ...] = ()) -> str | None:
        """The date of an event whose verb is at `pos`.

        A date in the event's own clause wins; else a fronted date ("In January, officials
        detained ... and extradited ...") or the date of a parallel clause holding the same kind
        of event ("A deported X, and B deported Y in August"); a date in a clause about something
        else ("extradited ... and in 2006 participated in a drill") is not the event's. A present
        perfect with no date of its own ("has consistently extradited") states a practice, not a
        dated event. Otherwise the date is carried from the paragraph (see `carried_date`).
        """
        text = s.text
        parts = conjuncts(text)
        here = next(((a, b) for a, b in parts if a <= pos < b), (0, len(text)))
        a, b = max(here[0], lo), min(here[1], len(text) if hi is None else hi)
        own = [d for d in dates if d.event and a <= d.start < b]
        if own:
            return own[0].value
        verb = re.search(rf"\b{_FINITE}\b", text)
        fronted_end = verb.start() if verb else 0
        sibling_parts = [(x, y) for x, y in parts if any(x <= p < y for p in same) and (x, y) != here]
        for d in dates:
            if d.event and (d.end <= fronted_end or any(x <= d.start < y for x, y in sibling_parts)):
                return d.value
        if _PRESENT_PERFECT.search(text[:pos]):
            return f"{s.heading_year:04d}" if s.heading_year else None
        return self.carried_date(kind, s)

    def carried_date(self, kind: str, s: Sentence) -> str | None:
        """A sentence without a date of its own: the paragraph's date when it goes on with the
        same story (the sentence that set the date told no other kind of event, or this one
        refers back with "him", "the men", "then"), else only the paragraph's year; then the
        year heading, then the report year."""
        if self.ctx.para_date:
            if not self.ctx.para_kinds or kind in self.ctx.para_kinds or _BACK_REFERENCE.search(s.text):
                return self.ctx.para_date
            return self.ctx.para_date[:4]
        if s.heading_year:
            return f"{s.heading_year:04d}"
        if self.ctx.report_year:
            return f"{self.ctx.report_year:04d}"
        return None

    def inherited_date(self, sentence: Sentence) -> str | None:
        if self.ctx.para_date:
            return self.ctx.para_date
        if sentence.heading_year:
            return f"{sentence.heading_year:04d}"
        if self.ctx.section_date:
            return self.ctx.section_date[:4]
        if self.ctx.report_year:
            return f"{self.ctx.report_year:04d}"
        return None

    def police_place(self, text: str) -> str | None:
        """"Almaty police", "Tashkent police": the force names its city."""
        m = re.search(r"\b([A-Z][\w\-]+)\s+(?:city\s+)?police\b", text)
        if m and m.group(1) not in LEAD and not is_org_like(m.group(1)):
            return m.group(1)
        return None

    def place_after(self, text: str, lo: int, hi: int | None = None) -> str | None:
        region = text[lo:hi]
        # Appositives and relative clauses describe someone; their places are not the event's.
        region = re.split(r",\s+(?:who|which|where)\b", region)[0]
        region = re.sub(r",\s+(?:suspected|a|an|the|who)\b[^,]*", lambda m: " " * len(m.group()), region)
        match = re.search(r"\bcity of ([A-Z][\w\-]+)", region)
        if match:
            return match.group(1)
        # Up to two modifiers ("in northern", "in the southern capital of"); a verb
        # ("from handing over X") ends the phrase: what follows is no place.
        for m in re.finditer(r"\b(?:in|near|at|inside|from)\s+(?:the\s+)?(?:(?![a-z]+ing\b|over\b|up\b|out\b)[a-z]+\s+){0,2}", region):
            rest = region[m.end():]
            spans = candidates(rest)
            if not spans or spans[0].start != 0:
                continue
            name = spans[0].text
            if re.match(r"(January|February|March|April|May|June|July|August|September|October|November|December)\b", name):
                continue
            if is_org_like(name) and not place_code(name):
                continue
            after = rest[spans[0].end:]
            tail = re.match(r",\s+([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?)", after)
            if tail and place_code(tail.group(1)):
                name = f"{name}, {tail.group(1)}"
                after = after[tail.end():]
            # "flew from Moscow, Russia to Almaty": a route; the event is where it arrived.
            if m.group().startswith("from"):
                dest = re.match(r"\s+to\s+(?:the\s+)?", after)
                if dest:
                    there = self.place_after(after[dest.start():].replace(" to ", " in ", 1), 0)
                    if there:
                        return there
            return name
        return None

    def para_place(self) -> str | None:
        """The paragraph's place: its most specific one (a city before a country), the latest."""
        for where in reversed(self.ctx.para_places):
            if not place_code(where):
                return where
        return self.ctx.para_places[-1] if self.ctx.para_places else None

    def story_place(self, s: Sentence) -> str | None:
        """The paragraph's place for a sentence that goes on with its story ("detained him")."""
        return self.para_place() if _BACK_REFERENCE.search(s.text) else None

    def numbers_in(self, phrase: str) -> int | None:
        total = 0
        seen = False
        for m in re.finditer(rf"\b({_NUM})\b(?!\s*(?:%|years?|days?|of whom|kilo|percent))", phrase, re.I):
            value = number(m.group(1))
            if value is None or 1900 <= value <= 2100:
                continue
            total += value
            seen = True
        return total if seen else None

    # ---- the document ----------------------------------------------------------------

    def run(self, sentences: list[Sentence], dates: dict[int, list[DateMention]]) -> list[Fact]:
        facts: list[Fact] = []
        seen: set[tuple[Any, ...]] = set()
        # Organizations the whole document treats as such, for acronyms and "its" subjects.
        for sentence in sentences:
            for span in candidates(sentence.text):
                if is_org_like(span.text) and not is_acronym(span.text) and len(span.text.split()) > 1:
                    self.ctx.known_orgs.setdefault(name_key(span.text), strip_name(span.text))
        section: str | None = None
        for sentence in sentences:
            if sentence.meta:
                continue
            if sentence.section != section:
                section = sentence.section
                self.ctx.heading_orgs = [self.canonical(n) for n in split_items(section or "") if _is_name(n)]
                self.ctx.section_date = None
            if sentence.paragraph != self.ctx.para:
                self.ctx.para = sentence.paragraph
                self.ctx.para_date = None
                self.ctx.para_kinds = set()
                self.ctx.para_places = []
                self.ctx.last_attack = None
            found = dates.get(sentence.seq, [])
            here = self.sentence_facts(sentence, found)
            for fact in here:
                if fact.key() in seen:
                    continue
                seen.add(fact.key())
                facts.append(fact)
            first = event_date(found)
            if first is not None:
                self.ctx.para_date = first.value
                self.ctx.para_kinds = {f.kind for f in here}
                self.ctx.section_date = first.value
            self.ctx.prev_sentence = sentence
            where = self.place_after(sentence.text, 0)
            if where:
                self.ctx.para_places.append(where)
            persons = [p for _, p in self.persons_in(sentence)]
            if persons:
                self.ctx.prev_persons = persons
        return facts

    def sentence_facts(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        out: list[Fact] = []
        out += self.designations(s, dates)
        out += self.relationships(s, dates)
        out += self.arrests(s, dates)
        out += self.extraditions(s, dates)
        out += self.attacks(s, dates)
        out += self.sentences(s, dates)
        out += self.raids(s, dates)
        out += self.cooperation(s, dates)
        return out

    # ---- designations ----------------------------------------------------------------

    def _authority(self, text: str, pos: int) -> tuple[str | None, str | None]:
        """Who acted (the name before the verb) and the jurisdiction it belongs to."""
        clause = re.split(r"[.;]|\bwhen\b|\bthat\b", text[:pos])[-1]
        names = candidates(clause)
        authority = names[-1].text if names else None
        if authority is None:
            m = re.search(r"\b(government|authorities|court|officials)\b", clause, re.I)
            authority = m.group(1) if m else None
        jurisdiction = None
        for word in re.findall(r"[A-Z][\w\-]+", clause):
            code = place_code(word)
            if code:
                jurisdiction = code
        return authority, jurisdiction or self.ctx.focus

    def _subjects(self, s: Sentence, region: str) -> list[str]:
        items = [i for i in split_items(region) if i]
        names: list[str] = []
        for item in items:
            low = item.lower()
            if re.match(r"(?:both|the two|these|those)\b.*(?:organi[sz]ations|groups)?$", low) or low in ("them", "both"):
                ref = self.ctx.last_designated if len(self.ctx.last_designated) >= 2 else self.ctx.heading_orgs
                names.extend(ref)
                continue
            if _is_name(item) and not place_code(item):
                names.append(self.canonical(item))
        return names

    def designations(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        out: list[Fact] = []
        date = self.date_for(dates) or self.inherited_date(s)

        def make(action: str, subject: str | None, pos: int, **data: Any) -> None:
            if s.in_quote(pos) or _negated(text, pos):
                return
            authority, jurisdiction = self._authority(text, pos)
            payload = {"authority": data.pop("authority", authority), "jurisdiction": data.pop("jurisdiction", jurisdiction)}
            payload.update(data)
            out.append(Fact("designation", action, s, subject=subject, date=date, data=payload))

        for m in re.finditer(r"\b(?:approved|adopted|published|released|issued)\s+(?:a|an|the)\s+(?:(?:revised|new|updated|amended|national)\s+)?list\s+of\s+(?:banned\s+)?(?:terrorist|extremist)", text):
            make("list_approved", None, m.start())
        m2 = re.search(r"\b(?:organi[sz]ations|groups)\b[^.]{0,60}?\b(?:banned|prohibited|outlawed|designated|listed)\s+(?:are|include|were)\s+(?P<list>.+)$", text)
        if m2:
            for name in self._subjects(s, m2.group("list")):
                make("banned", name, m2.start())
        requested_spans: list[tuple[int, int]] = []
        for m in re.finditer(r"\b(?:asked|requested|urged|called on|petitioned|proposed)\b(?P<who>[^.;]*?)\bto\s+(?:ban|add|outlaw|prohibit|include|designate|list)\s+(?P<obj>.+?)(?=\s+(?:to\s+(?:the|its|their)\s+\w*\s*list|because|on\s+\d|in\s+[A-Z]|citing|as\s+)|[.;]|$)", text):
            requested_spans.append(m.span())
            names = self._subjects(s, m.group("obj"))
            for name in names:
                make("requested", name, m.start(), addressee=strip_name(m.group("who")) or None)
            if len(names) >= 2:
                self.ctx.last_designated = names
        for m in re.finditer(r"\badd(?:ed|s)?\s+(?P<obj>.+?)\s+to\s+(?:its|the|their|a)\s+(?:\w+\s+){0,3}?list\b", text):
            if any(a <= m.start() < b for a, b in requested_spans):
                continue
            names = self._subjects(s, m.group("obj"))
            rest = m.group("obj")
            extra = re.search(rf"\b({_NUM})\s+other\s+organi[sz]ations", rest)
            for name in names:
                make("added", name, m.start(), **({"with_others": number(extra.group(1))} if extra else {}))
            if len(names) >= 2:
                self.ctx.last_designated = names
        for m in re.finditer(r"(?<!\ba )(?<!\ban )(?<!\bthe )(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbeen )\b(?:banned|outlawed|prohibited)\s+(?P<obj>(?:the\s+)?[A-Z][\w\-]*(?:[ \-][A-Za-z][\w\-]*){0,4})", text):
            if any(a <= m.start() < b for a, b in requested_spans) or m2:
                continue
            obj = m.group("obj")
            spans = candidates(obj)
            if not spans:
                continue
            name = self.canonical(spans[0].text)
            if place_code(name):
                continue
            make("banned", name, m.start())
        for m in re.finditer(r"\b(?:is|are|was|were|been)\s+banned\s+in\s+(?P<places>[^.;]+?)(?=\s+and\s+has\b|\s+and\s+is\b|,\s+is\b|[.;]|$)", text):
            orgs = self.orgs_in(s, 0, m.start())
            if not orgs:
                continue
            subject = orgs[0][1]
            for place in split_items(m.group("places")):
                code = place_code(place)
                if code:
                    make("banned", subject, m.start(), jurisdiction=code, authority=None)
        for m in re.finditer(rf"\bdesignated\s+(?P<n>{_NUM})\s+(?:organi[sz]ations|groups)\b", text):
            make("designated", None, m.start(), count=number(m.group("n")))
        names_here = [f.subject for f in out if f.subject]
        if len(names_here) >= 2:
            self.ctx.last_designated = names_here
        return out

    # ---- relationships ---------------------------------------------------------------

    def relationships(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        out: list[Fact] = []
        first = event_date(dates)
        date = first.value if first else None

        def rel(action: str, subject: str, obj: str, pos: int, **data: Any) -> None:
            if s.in_quote(pos) or _negated(text, pos) or name_key(subject) == name_key(obj):
                return
            out.append(Fact("relationship", action, s, subject=subject, object=obj, date=date, data=data))

        for m in re.finditer(r"\bties\s+between\s+(?P<list>[^.;]+)", text):
            items = [self.canonical(i) for i in split_items(re.sub(r"\b(?:the\s+)?(?:\w+\s+){0,2}group\s+", "", m.group("list"))) if _is_name(i)]
            for i, a in enumerate(items):
                for b in items[i + 1:]:
                    rel("tied_to", a, b, m.start())
        for m in re.finditer(r"\b(?P<its>its|their)?\s*(?:alleged\s+|direct\s+|close\s+)?(?:ties|links|connections|contacts)\s+(?:to|with)\s+(?P<list>[^.;]+)", text):
            if s.in_quote(m.start("list")) and not s.in_quote(m.start()):
                pass
            orgs = self.orgs_in(s, 0, m.start())
            if not orgs:
                continue
            subject = orgs[-1][1]
            region = re.split(r"\b(?:because|therefore|Therefore|but|which)\b", m.group("list"))[0]
            for item in split_items(region):
                if _is_name(item) and not place_code(item):
                    rel("tied_to", subject, self.canonical(item), m.start())
        for m in re.finditer(r"\b(?:affiliated|associated|allied|linked)\s+with\s+(?:the\s+)?(?P<obj>[A-Z][\w\-]*(?:[ \-](?:of\s+)?[A-Z][\w\-]*)*)", text):
            obj = self.canonical(m.group("obj"))
            before = self.orgs_in(s, 0, m.start())
            like = re.search(r"\blike\s+(?:the\s+)?(?P<like>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)\s*,\s*$", text[:m.start()])
            # "X, an Islamic missionary organization affiliated with Y": the apposition says X
            # is an organization, whether or not its name looks like one.
            appos = re.search(r",\s+(?:an?|the)\s+(?:[\w\-]+\s+){0,3}?(?:organi[sz]ation|group|movement|party|network"
                              r"|faction|wing|cell)\s+(?:\w+\s+){0,2}$", text[:m.start()])
            if appos and not like:
                spans = candidates(text[:appos.start()])
                if spans and spans[-1].end == appos.start() and not place_code(spans[-1].text):
                    rel("affiliated_with", self.canonical(spans[-1].text), obj, m.start())
                    continue
            if like:
                rel("affiliated_with", self.canonical(like.group("like")), obj, m.start())
                before = [o for o in before if o[0] < like.start()]
            if before:
                rel("affiliated_with", before[-1][1] if like else before[0][1], obj, m.start())
        for m in re.finditer(r"(?P<who>[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){1,3})\s*,?\s+(?:(?:the|a|an)\s+)?(?:leader|head|chief|founder|commander|amir|emir)\s+of\s+(?:the\s+)?(?P<org>[A-Z][\w\-]*(?:[ \-](?:of\s+)?[A-Z][\w\-]*)*)|(?P<who2>[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){1,3})\s*,?\s+(?:headed|led|founded|commanded)\s+(?:(?P<org2>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)(?:['’]s)?|operations)", text):
            who = m.group("who") or m.group("who2")
            org = m.group("org") or m.group("org2")
            if org is None:
                prior = [o for _, o in self.orgs_in(s, 0, m.start()) if self._of_interest(o)]
                org = prior[-1] if prior else None
            if org and self._of_interest(self.canonical(org)):
                rel("leader_of", who, self.canonical(org), m.start())
        for m in re.finditer(r"(?P<who>\b[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){0,3})\s+(?:served|fought)\s+in\s+(?:the\s+)?(?P<org>[A-Z][\w\-]*(?:[ \-](?:of\s+)?[A-Z][\w\-]*)*)", text):
            org = self.canonical(m.group("org"))
            if not self._of_interest(org):
                continue
            who = m.group("who")
            people = self.ctx.prev_persons[-2:] if who in ("Both", "They") else [who]
            for person in people:
                rel("member_of", person, org, m.start())
        for m in re.finditer(r"\b(?:a|an)\s+(?:alleged\s+|suspected\s+|former\s+)?member\s+of\s+(?:the\s+)?(?P<org>[A-Z][\w\-]*(?:[ \-](?:of\s+)?[A-Z][\w\-]*)*)|\bmembership\s+in\s+(?:the\s+)?(?P<org2>[A-Z][\w\-]*(?:[ \-](?:of\s+)?[A-Z][\w\-]*)*)", text):
            org = self.canonical(m.group("org") or m.group("org2"))
            named = self.persons_in(s, 0, m.start())
            if named and self._of_interest(org):
                rel("member_of", named[-1][1], org, m.start(), qualifier="alleged" if re.search(r"accus|alleged|suspect", text) else None)
        for m in re.finditer(r"(?P<subj>[^,.;]*?\b(?:suspects|militants|members|terrorists|bombers|defendants|they|women|men)\b[^.;]*?)\s+(?:were|was|had been)\s+trained\s+(?:at|in)\s+(?P<where>[^.;]+)", text):
            places = [c.text for c in candidates(m.group("where")) if place_code(c.text) or c.text in ("South Waziristan", "Shymkent")]
            places = [c.text for c in candidates(m.group("where"))]
            subject = strip_name(re.sub(r"^.*\bthat\s+", "", m.group("subj")))
            subject = re.sub(r"^(?:[A-Z]\w+\s+)?said\s+", "", subject)
            if places:
                rel("trained_in", subject, ", ".join(places), m.start())
        return out

    def _of_interest(self, org: str) -> bool:
        key = name_key(org)
        return key in self.ctx.linked or key in self.ctx.designated_keys

    # ---- events ----------------------------------------------------------------------

    def _event(self, kind: str, action: str | None, s: Sentence, dates: list[DateMention], pos: int,
               lo: int = 0, hi: int | None = None, same: tuple[int, ...] = (), **kw: Any) -> Fact | None:
        if s.in_quote(pos) or _negated(s.text, pos):
            return None
        date = self.event_date_for(kind, s, dates, pos, lo, hi, same)
        return Fact(kind, action, s, date=date, **kw)

    def arrests(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        out: list[Fact] = []
        for m in re.finditer(r"\b(?P<aux>(?:was|were|been|be)\s+(?:\w+ly\s+)?)?(?P<verb>arrested|detained|caught|captured|apprehended|arresting)\b(?P<rest>[^.;]*)", text):
            rest = m.group("rest")
            if re.search(r"\bwhen\s+\w+\s*$", text[:m.start()]) or re.match(r"\s+(?:in|on|at)\b", rest) and not m.group("aux"):
                continue
            clause_start = max(text.rfind(",", 0, m.start()) if m.group("aux") else -1, 0)
            if m.group("aux"):
                subj_phrase = text[:m.start()]
                subj_phrase = re.split(r"(?:,\s+(?:and|but)\s+|;\s*|\bthat\b)", subj_phrase)[-1]
                count = self.numbers_in(subj_phrase.split(",")[0])
                person = [p for _, p in self.persons_in(s, 0, m.start())][:1]
            else:
                obj = re.split(r",|\s+(?:in|on|at|for|after|when|and\s+subsequently)\s+", rest)[0]
                count = self.numbers_in(obj)
                person = [c.text for c in candidates(obj) if not place_code(c.text) and not is_org_like(c.text)
                          and len(c.text.split()) >= 2][:1]
            place = (self.place_after(text, m.end("verb")) or self.place_after(text, clause_start, m.start())
                     or self.police_place(text) or self.story_place(s))
            fact = self._event("arrest", None, s, dates, m.start(), place=place)
            if fact:
                if count:
                    fact.numbers["arrested"] = count
                if person:
                    fact.object = person[0]
                out.append(fact)
            break
        # "the (first) arrests of ...", "held N ... in detention"; one arrest per sentence, and a
        # dated mention wins over an undated one ("have arrested ... for years, but the first
        # arrests ... were in 2004").
        for m in re.finditer(r"\bthe\s+(?:first\s+)?arrests\s+of\b|\bheld\s+(?P<n>\d+)\s+[^.;]*?\bin\s+detention\b", text):
            fact = self._event("arrest", None, s, dates, m.start(), place=self.place_after(text, m.end()) or self.place_after(text, 0, m.start()))
            if fact and (not out or (fact.date and not out[0].date)):
                if m.group("n"):
                    fact.numbers["arrested"] = int(m.group("n"))
                out[:] = [fact]
            break
        return out

    def extraditions(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        out: list[Fact] = []
        prev_end = 0
        found = list(re.finditer(r"\b(?P<verb>extradited|deported|transferred|handed\s+over)\b(?P<what>[^.;]*?)\bto\s+(?:the\s+)?(?P<to>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)", text))
        verbs = tuple(m.start() for m in found)
        for m in found:
            if re.search(r"\b(?:seek|sought|requested|called)\b", text[prev_end:m.start()]):
                prev_end = m.end()
                continue
            to = place_code(m.group("to")) or place_code(m.group("to").split()[0])
            if to is None:
                continue
            clause = text[prev_end:m.start()]
            clause = re.split(r",\s+and\s+|;\s*", clause)[-1]
            origin = None
            for word in re.findall(r"[A-Z][\w\-]+", clause):
                code = place_code(word)
                if code and code != to:
                    origin = code
                    break
            origin = origin or self.ctx.focus
            person = [c.text for c in candidates(m.group("what")) if not place_code(c.text) and not is_org_like(c.text) and len(c.text.split()) >= 2]
            after = text[m.end():]
            tail = re.match(r",\s+([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){1,3})", after)
            if not person and tail and not place_code(tail.group(1)):
                person = [tail.group(1)]
            fact = self._event("extradition", None, s, dates, m.start(), lo=prev_end,
                               same=tuple(v for v in verbs if v != m.start()),
                               place=None, data={"from": origin, "to": to})
            prev_end = m.end()
            if fact is None or origin == to:
                continue
            fact.subject = origin
            fact.object = person[0] if person else None
            count = self.numbers_in(m.group("what"))
            if count:
                fact.numbers["extradited"] = count
            out.append(fact)
        return out

    _ATTACK = re.compile(r"\b(?:(?:discovered|found|defused)\s+a\s+bomb|set off bombs?|blew (?:himself|herself|themselves) up|killed themselves|firefight|shoot-?out|suicide bomb(?:ing|er)s?|bombings?|(?:terror(?:ist)? )?attacks?|exploded|explosion)\b", re.I)

    def casualties(self, text: str) -> dict[str, Any]:
        nums: dict[str, Any] = {}
        for key, verbs, passive in (("killed", r"kill(?:ed|ing)", r"(?:were|was)\s+(?:also\s+)?killed|died"),
                                    ("injured", r"injur(?:ed|ing)|wound(?:ed|ing)", r"(?:were|was)\s+(?:injured|wounded)")):
            active = re.search(rf"\b(?:{verbs})\s+(?:(?P<q>more than|about|at least|over|some)\s+)?(?P<n>{_NUM})\b", text, re.I)
            verb = re.search(rf"\b(?:{passive})\b", text, re.I)
            passive_total: int | None = None
            if verb:
                before = text[:verb.start()]
                last = re.split(r",\s+and\s+|;", before)[-1].strip()
                head = re.split(r"\bmade up of\b|\bof whom\b|\bincluding\b", before)
                if not re.match(rf"(?:{_NUM})\s+(?!others)", last, re.I) and len(head) > 1:
                    # "187 people, made up of 94 terrorists, ... died": the total comes first.
                    found = [number(x) for x in re.findall(rf"\b({_NUM})\b", head[0], re.I)]
                    found = [f for f in found if f is not None]
                    passive_total = found[-1] if found else None
                else:
                    phrase = re.split(r",", last)[-1].strip()
                    parts = re.split(r"\s+and\s+", phrase)
                    leads = [re.match(rf"(?:another|an?|{_NUM})\b", p.strip(), re.I) for p in parts]
                    if leads and all(leads):
                        values = [1 if ld.group().lower() in ("a", "an", "another") else number(ld.group())
                                  for ld in leads if ld]
                        if all(v is not None for v in values) and any(
                                ld.group().lower() not in ("a", "an", "another") for ld in leads if ld):
                            passive_total = sum(v for v in values if v is not None)
                    else:
                        # "The government said 187 people died": the count just before the verb.
                        tail = re.search(rf"\b({_NUM})\s+(?:[a-z]+\s+){{0,2}}$", phrase + " ", re.I)
                        value = number(tail.group(1)) if tail else None
                        if value:
                            passive_total = value
            if active and number(active.group("n")) is None:
                active = None
            if active and (passive_total is None or verb is None or active.start() < verb.start()):
                nums[key] = number(active.group("n"))
                if active.group("q"):
                    nums[f"{key}_qualifier"] = active.group("q").lower()
                continue
            if passive_total:
                nums[key] = passive_total
                continue
            if key == "killed" and re.search(r"\bkill(?:ing|ed)\s+(?:himself|herself)\b", text):
                nums[key] = 1
        return nums

    def attacks(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        trigger = self._ATTACK.search(text)
        nums = self.casualties(text)
        if trigger is None and not nums:
            return []
        pos = trigger.start() if trigger else 0
        if s.in_quote(pos):
            return []
        has_verb = bool(re.search(r"\b(?:killed|killing|died|set off|blew|exploded|injur\w+|there were|discovered a bomb)\b", text))
        dated_noun = trigger is not None and any(d.end <= trigger.start() <= d.end + 2 for d in dates)
        own_date = event_date(dates)
        prior = self.ctx.last_attack
        if prior is not None and own_date is None and (has_verb or nums):
            # A continuation ("The bombings killed 47 people"): more detail for the same incident.
            # A qualifier goes with its own number: "about 700" disputing a stated 187 leaves
            # the 187 unqualified and is kept as another estimate.
            for k, v in nums.items():
                if k.endswith("_qualifier"):
                    continue
                qualifier = nums.get(f"{k}_qualifier")
                if k not in prior.numbers:
                    prior.numbers[k] = v
                    if qualifier:
                        prior.numbers[f"{k}_qualifier"] = qualifier
                elif prior.numbers[k] != v:
                    prior.data.setdefault("other_estimates", []).append(
                        {k: v, **({"qualifier": qualifier} if qualifier else {}), "sentence": s.seq})
            return []
        if not (has_verb or dated_noun):
            return []
        if trigger is None and own_date is None and not self.ctx.para_date:
            return []
        place = self.place_after(text, 0) or self.para_place()
        fact = self._event("attack", None, s, dates, pos, place=place)
        if fact is None:
            return []
        fact.numbers.update(nums)
        if dated_noun and fact.date is None and trigger is not None:
            fact.date = next(d.value for d in dates if d.end <= trigger.start() <= d.end + 2)
        count = re.search(rf"\bthere were ({_NUM})\s+(?:\w+\s+)?attacks\b", text)
        if count:
            fact.numbers["attacks"] = number(count.group(1))
        self.ctx.last_attack = fact
        return [fact]

    def sentences(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        m = re.search(r"\bsentenced\b(?P<rest>[^.;]*)", text)
        if not m:
            return []
        fact = self._event("sentence", None, s, dates, m.start(), place=self.place_after(text, 0, m.start()))
        if fact is None:
            return []
        rest = m.group("rest")
        rng = re.search(rf"\bfrom\s+({_NUM})\s+to\s+({_NUM})\s+years\b", rest)
        one = re.search(rf"\b({_NUM})[\s\-]+years?\b", rest)
        if rng:
            fact.numbers["sentenced_years_min"] = number(rng.group(1))
            fact.numbers["sentenced_years"] = number(rng.group(2))
        elif one:
            fact.numbers["sentenced_years"] = number(one.group(1))
        count = re.match(rf"\s+({_NUM})\s+(?:people|men|persons|members|defendants)", rest)
        if count:
            fact.numbers["sentenced"] = number(count.group(1))
        person = [c.text for c in candidates(rest) if len(c.text.split()) >= 2 and not is_org_like(c.text) and not place_code(c.text)]
        if person:
            fact.object = person[0]
        return [fact]

    def raids(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        m = re.search(r"\b(?P<verb>shut down|dismantled|disrupted|broke up|foiled|prevented a (?:major )?terrorist attack)\b(?P<rest>[^.;]*)", text)
        if not m or s.in_quote(m.start()) or re.search(r"\b(?:as|when|while)\s+\w+\s*$", text[:m.start()]):
            return []
        fact = self._event("raid", None, s, dates, m.start(),
                           place=self.place_after(text, m.end("verb")) or self.place_after(text, 0, m.start())
                           or self.police_place(text))
        if fact is None:
            return []
        passive = re.search(r"\b(?:been|was|were)\s+(?:\w+\s+)?$", text[:m.start()])
        orgs = self.orgs_in(s, m.start(), len(text)) or (self.orgs_in(s, 0, m.start())[-1:] if passive else [])
        if orgs:
            fact.object = orgs[0][1]
        return [fact]

    def parties(self, text: str) -> list[str]:
        """Countries (as codes) and international bodies a sentence names."""
        out: list[str] = []
        bodies: list[tuple[int, int, str]] = []
        for span in candidates(text):
            name = re.sub(r"['’]s\b.*$", "", span.text)
            if (is_acronym(name) or (is_org_like(name) and re.search(
                    r"Organi[sz]ation|Commonwealth|Council|Treaty|Nations|Union", name))) and not place_code(name):
                bodies.append((span.start, span.end, name))
        for m in re.finditer(r"[A-Z][\w\-’']+", text):
            if any(a <= m.start() < b for a, b, _ in bodies):
                continue
            code = place_code(m.group())
            if code and code.upper() not in out:
                out.append(code.upper())
        for _, _, name in bodies:
            if name not in out:
                out.append(name)
        return out

    def cooperation(self, s: Sentence, dates: list[DateMention]) -> list[Fact]:
        text = s.text
        agreement = re.search(r"\b(?:agreement|treaty|treaties|joint declaration|[Dd]eclaration on|working group|agreed to|agreed upon|conventions|discussed[^.]*cooperation)\b", text)
        exercise = re.search(r"\b(?:held|hosted|participated in|conducted|have held|has held)\b[^.;]*?\b(?:exercises?|drills?|maneuvers|manoeuvres)\b", text)
        if not (agreement or exercise):
            return []
        if not re.search(r"terror|extremis|security|crime|extradition|bombing", text, re.I) and not exercise:
            return []
        kind = "cooperation" if agreement else "exercise"
        pos = (agreement or exercise).start()  # type: ignore[union-attr]
        if re.search(r"\b(?:plan|plans|planned|will|would)\s+to\b|\bplan to\b", text[:pos + 40]):
            return []
        fact = self._event(kind, None, s, dates, pos, place=self.place_after(text, 0))
        if fact is None:
            return []
        parties = self.parties(text)
        if len(parties) < 2 and self.ctx.prev_sentence is not None:
            parties += [p for p in self.parties(self.ctx.prev_sentence.text) if p not in parties]
        if len(parties) < 2 and self.ctx.focus and self.ctx.focus.upper() not in parties:
            parties.insert(0, self.ctx.focus.upper())
        fact.data["parties"] = parties
        fact.subject = parties[0] if parties else None
        fact.object = ", ".join(parties[1:]) or None
        return [fact]
