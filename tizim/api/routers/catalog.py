"""GET /catalog and GET /algorithms in yente's shapes (DataCatalogModel, AlgorithmResponse).

Each list is a dataset (its version is its latest list version, so `index_current` is true
once the list is loaded); the scope `default` is the collection of every list. tizim answers
every algorithm name yente clients send with its own scorer: /algorithms lists those names
and says so.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from tizim.api.auth import Principal, require_role
from tizim.api.routers.match import ALGORITHMS, MATCHER
from tizim.registry.service import Registry

router = APIRouter(tags=["Data access"])


class CatalogDataset(BaseModel):
    """A dataset as yente's catalog lists it (followthemoney's DatasetModel fields and what
    yente adds about loading it). Not DatasetModel itself: FtM dataset names allow no
    hyphen, and a list's name here must be the scope /match/{scope} takes."""

    name: str
    title: str
    summary: str | None = None
    url: str | None = None
    version: str | None = None
    updated_at: str | None = None
    last_export: str | None = None
    entity_count: int | None = None
    thing_count: int | None = None
    tags: list[str] = Field(default_factory=list)
    resources: list[dict[str, Any]] = Field(default_factory=list)
    children: list[str] = Field(default_factory=list)
    deprecated: bool = False
    load: bool = True
    index_version: str | None = None
    index_current: bool = True


class DataCatalogModel(BaseModel):
    datasets: list[CatalogDataset]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class FeatureDoc(BaseModel):
    description: str | None = None
    coefficient: float
    url: str


class AlgorithmDocs(BaseModel):
    name: str
    description: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    features: dict[str, FeatureDoc]


class Algorithm(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, FeatureDoc]
    docs: AlgorithmDocs


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str
    best: str


def _version(row: dict[str, Any]) -> str | None:
    if row["last_import"] is None:
        return None
    stamp = row["last_import"][:19].replace("-", "").replace(":", "").replace("T", "")
    return f"{stamp}-v{row['latest_version']}"


@router.get("/catalog", summary="Data catalog (yente's shape)", response_model=DataCatalogModel)
def catalog(_: Principal = Depends(require_role("viewer"))) -> DataCatalogModel:
    """Every list as a dataset, and `default`, the collection of them all."""
    rows = Registry().summary()
    datasets = []
    for row in rows:
        version = _version(row)
        datasets.append(
            CatalogDataset(
                name=row["name"],
                title=row["title"] or row["name"],
                summary=f"{row['title'] or row['name']}: {row['versions']} version(s) imported by tizim",
                version=version,
                updated_at=row["last_import"][:19] if row["last_import"] else None,
                last_export=row["last_import"][:19] if row["last_import"] else None,
                entity_count=row["entities"],
                thing_count=row["entities"],
                index_version=version,
            )
        )
    names = [row["name"] for row in rows]
    total = sum(row["entities"] for row in rows)
    datasets.append(
        CatalogDataset(
            name="default",
            title="All lists",
            summary="Every designation list in this tizim registry",
            children=names,
            entity_count=total,
            thing_count=total,
            load=False,
        )
    )
    return DataCatalogModel(datasets=datasets, current=names, outdated=[], index_stale=False)


_FEATURES = {
    "name": ("Similarity of the query's names to a listed name (any script, transliterated, token-weighted)", 1.0),
    "birth_date": ("Birth dates agreeing or conflicting moves the score up or down", 0.1),
    "country": ("Countries agreeing or conflicting moves the score up or down", 0.05),
    "identifier": ("A matching identifier (passport, IMO, registration...) sets a floor; a conflicting one lowers the score", 0.3),
}


@router.get(
    "/algorithms",
    summary="Matching algorithms (yente's shape)",
    tags=["System information"],
    response_model=AlgorithmResponse,
)
def algorithms(_: Principal = Depends(require_role("viewer"))) -> AlgorithmResponse:
    """The algorithm names POST /match accepts; each is answered by tizim's own scorer."""
    features = {
        name: FeatureDoc(description=text, coefficient=weight, url="/docs#/Matching")
        for name, (text, weight) in _FEATURES.items()
    }
    listed = []
    for name in ALGORITHMS:
        if name == "best":
            continue
        description = (
            "tizim's scorer: names across scripts, then birth date, country and identifier adjustments"
            if name == MATCHER
            else f"yente's {name}, accepted and answered by tizim's scorer (the response's matcher says so)"
        )
        docs = AlgorithmDocs(name=name, description=description, features=features)
        listed.append(Algorithm(name=name, description=description, features=features, docs=docs))
    return AlgorithmResponse(algorithms=listed, default=MATCHER, best=MATCHER)
