"""Copy the browser libraries tizim's pages use from assets/node_modules (installed from the
npm registry with `npm ci`, versions and hashes pinned by package-lock.json) into
tizim/web/static/vendor/, with their licences. The copies are committed, so a checkout or a
wheel serves them with no npm and no network; `make assets` refreshes them after a version
bump, and tests/web/test_assets.py checks the copies equal the npm files when installed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT.parent / "tizim" / "web" / "static" / "vendor"

# target name -> file in node_modules
FILES = {
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.js.LICENSE.md": "chart.js/LICENSE.md",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "cytoscape.LICENSE": "cytoscape/LICENSE",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui.LICENSE": "swagger-ui-dist/LICENSE",
    "swagger-ui.NOTICE": "swagger-ui-dist/NOTICE",
}


def main() -> int:
    missing = [src for src in FILES.values() if not (MODULES / src).exists()]
    if missing:
        print(f"run `npm ci --prefix assets` first; missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for target, src in FILES.items():
        shutil.copyfile(MODULES / src, VENDOR / target)
    print(f"copied {len(FILES)} files into {VENDOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
