"""Who the command line acts as: the holder of the API key in TIZIM_API_KEY.

Four eyes rest on who people are, not on a typed name: a case action from the CLI is taken
by the key's holder with the key's role, exactly as over HTTP (`Authorization: Bearer`).
Create keys with `tizim keys create --name <person> --role <role>`.
"""

from __future__ import annotations

import getpass

from tizim.api.keys import Principal, get_key_store
from tizim.errors import TizimError
from tizim.settings import get_settings


class NoIdentity(TizimError):
    """The command needs to know who acts, and TIZIM_API_KEY does not say."""


def cli_principal() -> Principal:
    """The principal of TIZIM_API_KEY, or a one-line error saying what to set."""
    secret = get_settings().api_key
    if not secret:
        raise NoIdentity("case actions act as the holder of an API key: set TIZIM_API_KEY to your key "
                         "(tizim keys create --name <you> --role analyst)")
    principal = get_key_store().authenticate(secret)
    if principal is None:
        raise NoIdentity("TIZIM_API_KEY is not an active API key (unknown or revoked)")
    return principal


def actor_name() -> str:
    """Who a batch command (monitor, rescreen) is recorded as: the key holder when
    TIZIM_API_KEY is set, else the OS login."""
    return cli_principal().name if get_settings().api_key else getpass.getuser()
