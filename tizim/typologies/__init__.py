"""Typologies: the account graph kept as payments are decided, typology rules over it, and
a risk score combining them (docs/typologies.md)."""
