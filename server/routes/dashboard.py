"""The browser dashboard: one static page at `/` and its assets under `/static`.

The page is plain HTML/CSS/JS shipped in `server/static` (no build step, nothing fetched
from the internet); it talks to the same JSON/SSE API as every other client. Auth is
unchanged: with THINKROOM_API_KEY set these routes need the key like any other route.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from server.errors import ApiError

router = APIRouter(tags=["dashboard"], include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate (ETag) so an upgrade is picked up at once


def asset(name: str, directory: Path = STATIC_DIR) -> FileResponse:
    """A file directly in `directory` with a known type; anything else is a 404 (no path traversal)."""
    path = directory / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise ApiError(404, "not_found", f"no such dashboard asset: {name}")
    return FileResponse(path, media_type=media_type, headers=NO_CACHE)


@router.get("/", response_model=None)
async def dashboard() -> FileResponse:
    """The single-page dashboard (Status, Concept lab, Chat, Reason)."""
    return asset("index.html")


@router.get("/static/{name}", response_model=None)
async def static_file(name: str) -> FileResponse:
    return asset(name)


@router.get("/static/vendor/{name}", response_model=None)
async def vendored_file(name: str) -> FileResponse:
    """Third-party browser libraries, shipped in the repo so the page works offline."""
    return asset(name, STATIC_DIR / "vendor")
