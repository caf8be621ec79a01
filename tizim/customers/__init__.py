"""Customers and accounts: the bank's book, screened and kept screened, frozen on a match."""
