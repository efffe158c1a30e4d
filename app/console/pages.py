"""``/console``: the agents' console page (sign-in form included)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)


@router.get("/console")
async def console_page() -> FileResponse:
    return FileResponse(HERE / "templates" / "console.html", media_type="text/html")


@router.get("/console/ops")
async def ops_page() -> FileResponse:
    """Operations charts for admins (the data API checks the role)."""
    return FileResponse(HERE / "templates" / "ops.html", media_type="text/html")


@router.get("/console/static/{name}")
async def console_static(name: str) -> FileResponse:
    allowed = {
        "console.js": "application/javascript",
        "ops.js": "application/javascript",
        "console.css": "text/css",
    }
    if name not in allowed:
        from fastapi import HTTPException

        raise HTTPException(404)
    return FileResponse(HERE / "static" / name, media_type=allowed[name])
