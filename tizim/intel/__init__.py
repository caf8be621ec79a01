"""Intelligence: source documents into cited facts (designations, ties, incidents) for review."""
