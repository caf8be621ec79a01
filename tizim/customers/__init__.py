"""Customers and accounts: the bank's book, screened and kept screened as lists change,
accounts frozen within the SLA of a listing, the freeze register (see docs/customers.md).

Upstream of monitoring and cases: payments read the freeze state of accounts, cases release
what a customer case froze. Modules: model (records and files), book (imports, history,
views), screen (the whole book against the lists), rescreen (each list version against the
book), freezes (hits to alerts, cases and freezes; the register and FIU report).
"""
