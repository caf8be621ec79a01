"""The words the pages show for the codes the data holds (name kinds, relationships,
identifier types, payment roles, alert codes, statuses, list actions): one table, read by
the templates' `label` filter in the reader's language. A code not in it is shown as
written, underscores as spaces."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tizim.web.i18n import translations


def vocabulary(_: Any) -> dict[str, str]:
    return {
        # names
        "primary": _("primary name"), "alias": _("alias"), "weak_alias": _("weak alias"),
        "former": _("former name"), "spelling": _("other spelling"),
        # ties
        "member_of": _("member of"), "leader_of": _("leader of"), "affiliated_with": _("affiliated with"),
        "tied_to": _("tied to"), "same_as": _("same as"),
        # identifiers
        "passport": _("passport"), "national_id": _("national identity number"), "iin": _("IIN"),
        "bin": _("BIN"), "imo": _("IMO number"), "tax_id": _("tax number"),
        "registration": _("registration number"), "swift_bic": _("SWIFT/BIC"), "other": _("other document"),
        # designations and list events
        "listed": _("listed"), "amended": _("amended"), "delisted": _("delisted"), "revised": _("revised"),
        "added": _("added"), "removed": _("removed"),
        # parties to a payment
        "debtor": _("payer"), "creditor": _("payee"), "debtor_agent": _("payer's bank"),
        "creditor_agent": _("payee's bank"), "intermediary": _("intermediary bank"),
        "ultimate_debtor": _("ultimate payer"), "ultimate_creditor": _("ultimate payee"),
        # alerts
        "match": _("match"), "rule": _("rule"), "text": _("text"), "rescreen": _("list update"),
        "designated_match": _("designated match"), "possible_match": _("possible match"),
        "pep_match": _("PEP match"), "frozen_account": _("frozen account"),
        "text_mention": _("listed name in the text"), "payment_id_reused": _("payment id reused"),
        "rescreen_match": _("match after a list update"),
        "rescreen_text": _("listed name in the text after a list update"),
        # cases, customers, their hits, intelligence
        "open": _("open"), "escalated": _("escalated"), "release_requested": _("release requested"),
        "dismiss_requested": _("dismissal requested"), "confirmed": _("confirmed"), "dismissed": _("dismissed"),
        "released": _("released"), "unscreened": _("not screened"), "clear": _("clear"), "alert": _("alert"),
        "frozen": _("frozen"), "closed": _("closed"), "imported": _("imported"), "updated": _("updated"),
        "reopened": _("reopened"), "pending": _("pending"), "accepted": _("accepted"), "rejected": _("rejected"),
        "person": _("person"), "organization": _("organization"),
        # what people and the system did to a case (its history, the audit trail)
        "assign": _("assigned"), "comment": _("comment"), "escalate": _("escalated"), "confirm": _("confirmed"),
        "dismiss": _("dismissal requested"), "approve-dismiss": _("dismissal approved"), "reopen": _("reopened"),
        "release": _("release requested"), "approve-release": _("release approved"), "decide": _("decided"),
        "hold_funds": _("funds held"), "release_funds": _("funds released"), "freeze": _("frozen"),
        "unfreeze": _("unfrozen"), "raise_severity": _("severity raised"), "delisted_review": _("delisting review"),
        "remember_dismissal": _("dismissal remembered"), "reject": _("rejected"), "import": _("imported"),
        # the screener's explanation
        "name": _("name"), "birth_date": _("birth date"), "country": _("country"), "identifier": _("identifier"),
    }


@lru_cache(maxsize=8)
def vocabulary_for(language: str) -> dict[str, str]:
    return vocabulary(translations(language).gettext)


def label(code: Any, language: str) -> str:
    text = str(code)
    return vocabulary_for(language).get(text) or text.replace("_", " ")
