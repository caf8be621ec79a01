"""`/docs`: the API explorer (Swagger UI from the npm package swagger-ui-dist, shipped in
static/vendor), so it works with no internet access and under the same strict CSP: its
start-up script is a file of ours, not inline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tizim.web.session import finish

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tizim API explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/static/vendor/swagger-ui.css">
<link rel="stylesheet" href="/ui/static/docs.css">
</head>
<body>
<main id="swagger-ui" data-spec="/openapi.json"><h1>tizim API</h1><p>Loading the API explorer...</p></main>
<script src="/ui/static/vendor/swagger-ui-bundle.js"></script>
<script src="/ui/static/docs.js"></script>
</body>
</html>
"""

# Swagger UI writes style attributes from script; allowed for this page only.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@router.get("/docs")
def docs(request: Request) -> Response:
    response = finish(request, HTMLResponse(PAGE))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
