"""Routers, one module per concern, each exposing `router: APIRouter`."""
