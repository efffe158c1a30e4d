"""``/`` (the demo shop page) and ``/widget.js`` (the embeddable widget)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from app.api.deps import ServicesDep

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def _catalogue(path: Path) -> tuple[dict[str, str], ...]:
    if not path.is_file():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@router.get("/", response_class=HTMLResponse)
async def shop(request: Request, services: ServicesDep) -> HTMLResponse:
    products = _catalogue(services.settings.project_dir / "store" / "products.csv")
    return templates.TemplateResponse(
        request,
        "shop.html",
        {
            "store_name": services.settings.business_name,
            "products": products,
            "widget_url": "/widget.js",
        },
    )


@router.get("/widget.js")
async def widget() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js",
        media_type="application/javascript",
        headers={"Cache-Control": "no-cache"},
    )
