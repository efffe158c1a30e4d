"""``/admin/kg``: the editor's page (sign-in form included) and its static files.

The page itself holds no data: its script asks the API, which checks the admin role, so
anonymous visitors see the sign-in form and agents are told the page is for admins.
Scripts are served from here (CSP ``script-src 'self'``), the graph library included.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)

# Every file the page may load, with its media type; anything else is a 404.
STATIC_FILES = {
    "kg.js": "application/javascript",
    "kg.css": "text/css",
    "vendor/cytoscape.min.js": "application/javascript",
    "vendor/cytoscape.LICENSE.md": "text/plain; charset=utf-8",
}


@router.get("/admin/kg")
async def editor_page() -> FileResponse:
    return FileResponse(HERE / "templates" / "kg.html", media_type="text/html")


@router.get("/admin/kg/static/{name:path}")
async def editor_static(name: str) -> FileResponse:
    media = STATIC_FILES.get(name)
    if media is None:
        raise HTTPException(404)
    return FileResponse(HERE / "static" / name, media_type=media)
