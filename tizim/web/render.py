"""Jinja2 templates with autoescaping on, and the page/response helpers around them."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from tizim.api.keys import Principal
from tizim.web.session import CSRF_FIELD, csrf_token, current_principal, finish

SCRIPT_NAMES = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Arab": "Arabic",
    "Hani": "Chinese",
    "Jpan": "Japanese",
    "Hang": "Korean",
    "Grek": "Greek",
    "Hebr": "Hebrew",
    "Deva": "Devanagari",
    "Geor": "Georgian",
    "Armn": "Armenian",
    "Thai": "Thai",
    "Ethi": "Ethiopic",
    "Zyyy": "Other",
}


@lru_cache(maxsize=1)
def monitoring_present() -> bool:
    return importlib.util.find_spec("tizim.monitoring.cases") is not None


def _score(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)


def _when(value: Any) -> str:
    """A timestamp as the analyst reads it: UTC, to the minute."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _label(value: Any) -> str:
    return str(value).replace("_", " ")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tizim.web", "templates"),
        # Everything a list, a payment or a user typed is escaped unless a template says not.
        autoescape=True,
        # Lenient Undefined: list data leaves optional keys out (a citation without a URL).
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = _score
    env.filters["when"] = _when
    env.filters["label"] = _label
    env.globals["script_name"] = lambda code: SCRIPT_NAMES.get(code, code)
    return env


def page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    principal: Principal | None = None,
    **context: Any,
) -> HTMLResponse:
    if principal is None:
        principal = getattr(request.state, "principal", None)
    html = environment().get_template(template).render(
        request=request,
        me=principal,
        csrf=csrf_token(request),
        csrf_field=CSRF_FIELD,
        nav_cases=monitoring_present(),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    finish(request, response)
    return response


def error_page(
    request: Request, status: int, title: str, message: str, principal: Principal | None = None
) -> HTMLResponse:
    if principal is None:
        principal = getattr(request.state, "principal", None) or current_principal(request)
    return page(request, "error.html", status=status, principal=principal, title=title, message=message)
