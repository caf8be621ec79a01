"""Jinja2 templates (autoescaping on, one environment per language with its gettext
catalogue) and the page/response helpers around them."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from tizim.api.keys import Principal
from tizim.web.i18n import LANGUAGE_NAMES, LANGUAGES, formatter_for, language_of, translations
from tizim.web.session import CSRF_FIELD, csrf_token, current_principal, current_user, finish
from tizim.web.vocab import label

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


@lru_cache(maxsize=1)
def customers_present() -> bool:
    return importlib.util.find_spec("tizim.customers.book") is not None


def _score(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@pass_context
def _when(ctx: Context, value: Any, short: bool = False) -> str:
    return str(ctx["fmt"].when(value, short))


@pass_context
def _day(ctx: Context, value: Any) -> str:
    return str(ctx["fmt"].day(value))


@pass_context
def _number(ctx: Context, value: Any, digits: int | None = None) -> str:
    return str(ctx["fmt"].number(value, digits))


@pass_context
def _amount(ctx: Context, value: Any, currency: str | None = None) -> str:
    return str(ctx["fmt"].amount(value, currency))


@pass_context
def _label(ctx: Context, value: Any) -> str:
    return label(value, ctx.get("lang") or "en")


def safe_url(value: Any) -> str | None:
    """A URL worth a link: http(s) only (no javascript:, data: or file: from a list)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` with the given character spans wrapped in <mark> (escaped everywhere)."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if start < at or end <= start:
            continue
        out.append(str(Markup.escape(text[at:start])))
        out.append(f"<mark>{Markup.escape(text[start:end])}</mark>")
        at = end
    out.append(str(Markup.escape(text[at:])))
    return Markup("".join(out))


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str = "en") -> Environment:
    env = Environment(
        loader=PackageLoader("tizim.web", "templates"),
        # Everything a list, a payment or a user typed is escaped unless a template says not.
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["score"] = _score
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["number"] = _number
    env.filters["amount"] = _amount
    env.filters["label"] = _label
    env.globals["script_name"] = lambda code: SCRIPT_NAMES.get(code, code)
    env.globals["safe_url"] = safe_url
    env.globals["highlight"] = highlight
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
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
        principal = getattr(request.state, "principal", None) or current_principal(request)
    language = language_of(request)
    html = environment(language).get_template(template).render(
        request=request,
        me=principal,
        user=current_user(request),
        lang=language,
        fmt=formatter_for(request),
        csrf=csrf_token(request),
        csrf_field=CSRF_FIELD,
        nav_cases=monitoring_present(),
        nav_customers=customers_present(),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    finish(request, response)
    return response


def error_page(
    request: Request, status: int, title: str, message: str, principal: Principal | None = None
) -> HTMLResponse:
    return page(request, "error.html", status=status, principal=principal, title=title, message=message)
