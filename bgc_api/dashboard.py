"""The analysts' dashboard: one page at ``/painel``, its script and style, and plotly.js.

Everything the page needs is served by the API itself, so it works offline: the script
and style ship in ``bgc_api/static``, plotly.js comes from the ``plotly`` package on PyPI.
Asset URLs carry a hash of their content, so browsers keep them until they change.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from litestar import Response, Router, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect

STATIC = Path(__file__).parent / "static"
HTML = "text/html; charset=utf-8"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
KEPT_FOR_A_YEAR = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:12]


def plotly_js() -> Path:
    """plotly.min.js inside the installed ``plotly`` package, found without importing it."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed: pip install plotly")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


@cache
def assets() -> dict[str, Asset]:
    """The page's assets by file name, read once."""
    files = {"painel.js": STATIC / "painel.js", "painel.css": STATIC / "painel.css"}
    files["plotly.min.js"] = plotly_js()
    return {
        name: Asset(path.read_bytes(), MEDIA_TYPES[path.suffix]) for name, path in files.items()
    }


@cache
def page(landing_dir: str) -> bytes:
    """The page, with each asset's URL versioned by its content and the landing folder
    named in the empty state."""
    text = (STATIC / "painel.html").read_text(encoding="utf-8")
    for name, asset in assets().items():
        text = text.replace(f"{{{{{name}}}}}", f"/painel/assets/{name}?v={asset.version}")
    return text.replace("{{landing}}", html.escape(landing_dir)).encode("utf-8")


@get("/", include_in_schema=False, sync_to_thread=False)
def home() -> Redirect:
    return Redirect("/painel")


@get("/painel", include_in_schema=False, sync_to_thread=False)
def painel(state: State) -> Response[bytes]:
    return Response(
        page(state["landing_dir"]), media_type=HTML, headers={"Cache-Control": "no-cache"}
    )


@get("/painel/assets/{name:str}", include_in_schema=False, sync_to_thread=False)
def asset(name: Annotated[str, Parameter(description="The asset's file name.")]) -> Response[bytes]:
    found = assets().get(name)
    if found is None:
        raise NotFoundException(f"no dashboard asset named {name!r}")
    return Response(found.body, media_type=found.media_type,
                    headers={"Cache-Control": KEPT_FOR_A_YEAR})  # fmt: skip


def dashboard_router() -> Router:
    return Router("/", route_handlers=[home, painel, asset], include_in_schema=False)
