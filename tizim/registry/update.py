"""`tizim lists update`: download the official list files from their publishers.

Each file is streamed to a temporary file beside its target and renamed into place only when
complete, so an interrupted download never leaves a truncated list behind. Network failures end
in one TizimError line naming the URL. The EU file needs a user-specific token
(TIZIM_EU_FSF_TOKEN), issued with an EU Login account on the FSF site.

The UK download is the FCDO's raw UK Sanctions List CSV; tizim's UK importer reads the
normalised tables (subjects.csv, subject_names.csv, ...), so the raw file is saved but not
returned for import (no reader for the raw layout yet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from tizim.errors import TizimError
from tizim.output import console


@dataclass(frozen=True)
class Source:
    list_name: str
    url: str
    filename: str
    importable: bool = True  # returned for import (one file per list; siblings ride along)


EU_URL = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token={token}"
OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
SOURCES: dict[str, tuple[Source, ...]] = {
    "un-sc": (Source("un-sc", "https://scsanctions.un.org/resources/xml/en/consolidated.xml", "un_consolidated.xml"),),
    "us-ofac-sdn": (
        # The legacy CSV importer finds add/alt/sdn_comments beside sdn.csv.
        Source("us-ofac-sdn", f"{OFAC}/ADD.CSV", "add.csv", importable=False),
        Source("us-ofac-sdn", f"{OFAC}/ALT.CSV", "alt.csv", importable=False),
        Source("us-ofac-sdn", f"{OFAC}/SDN_COMMENTS.CSV", "sdn_comments.csv", importable=False),
        Source("us-ofac-sdn", f"{OFAC}/SDN.XML", "sdn.xml", importable=False),
        Source("us-ofac-sdn", f"{OFAC}/SDN.CSV", "sdn.csv"),
    ),
    "uk-fcdo": (
        Source("uk-fcdo", "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv", "UK-Sanctions-List.csv", importable=False),
        Source("uk-fcdo", "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml", "UK-Sanctions-List.xml", importable=False),
    ),
    "eu-fsf": (Source("eu-fsf", EU_URL, "eu_fsf_full.xml"),),
}
TIMEOUT = httpx.Timeout(30.0, read=120.0)


def download(url: str, target: Path, client: httpx.Client | None = None) -> Path:
    """Stream `url` into `target` (atomically); a clear one-line TizimError when it fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    shown = url.split("?token=")[0] + ("?token=…" if "?token=" in url else "")
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise TizimError(f"download failed: {shown} answered HTTP {response.status_code}")
            with partial.open("wb") as handle:
                for block in response.iter_bytes(1 << 16):
                    handle.write(block)
        partial.replace(target)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise TizimError(f"download failed: cannot fetch {shown} ({type(exc).__name__}: {exc}); are you offline?") from exc
    except TizimError:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if own:
            http.close()
    return target


def download_all(
    download_dir: Path, names: list[str] | None, sources: dict[str, tuple[Source, ...]] | None = None
) -> list[tuple[str, Path]]:
    """Download the lists (all when `names` is None); (list name, file to import) for each."""
    table = sources if sources is not None else SOURCES
    wanted = names or list(table)
    unknown = [n for n in wanted if n not in table]
    if unknown:
        raise TizimError(f"unknown list(s) {', '.join(unknown)}; downloadable: {', '.join(table)}")
    fetched: list[tuple[str, Path]] = []
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        for name in wanted:
            for source in table[name]:
                url = source.url
                if "{token}" in url:
                    token = os.environ.get("TIZIM_EU_FSF_TOKEN", "").strip()
                    if not token:
                        raise TizimError(
                            "the EU Financial Sanctions Files need a personal token: set TIZIM_EU_FSF_TOKEN "
                            "(from your EU Login account on the FSF site) or leave eu-fsf out with --only"
                        )
                    url = url.format(token=token)
                path = download(url, download_dir / name / source.filename, client)
                console.print(f"{name}: saved {path}", highlight=False)
                if source.importable:
                    fetched.append((name, path))
                elif name == "uk-fcdo" and source.filename.endswith(".csv"):
                    console.print("uk-fcdo: the raw UK Sanctions List is saved but not imported "
                                  "(tizim reads the normalised UK tables)", highlight=False)
    return fetched
