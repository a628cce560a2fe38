"""/docs (Swagger UI) and /redoc (ReDoc) from assets installed with the service, not a CDN.

FastAPI's own pages load their JavaScript, CSS, favicon and (ReDoc) Google Fonts from other
hosts, so offline, or behind a proxy that lets nothing out, they are blank. The same pages
are served here with those files from the pinned `fastapi-offline` package (pyproject.toml
says which Swagger UI and ReDoc it ships), mounted under /docs/assets. Only its files are
used: its `FastAPIOffline` constructor would replace ours.

tests/integration/test_docs_pages.py renders both pages in a browser cut off from the
network. A docs page loads five files (page, CSS, script, favicon, /openapi.json): far within
the anonymous rate limit's burst, which they count against like any request without a key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
# fastapi-offline's files: swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js,
# favicon.png (FastAPI's)
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
# ReDoc's side menu shows Redocly's logo from their CDN, whatever its options say. Its script
# is served with that address made an empty data: URL instead, which fails to load as an
# image without a request, and ReDoc drops an image that failed (its text link stays).
REDOC_JS = "redoc.standalone.js"
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
NO_IMAGE = b'"data:,"'


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc, and the files they load, from this host alone."""
    openapi_url = app.openapi_url
    if openapi_url is None:  # no OpenAPI document: nothing to show
        return
    # FastAPI added its CDN pages at docs_url and redoc_url unless its constructor was told
    # None: the first route to match wins, so they go rather than shadow ours
    cdn_pages = {app.docs_url, app.redoc_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes
                            if not (isinstance(r, Route) and r.path in cdn_pages)]
    app.docs_url, app.redoc_url = DOCS_URL, REDOC_URL
    # before the mount, which would otherwise serve the file as shipped
    app.get(f"{ASSETS_URL}/{REDOC_JS}", include_in_schema=False)(_redoc_script())
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url
    if oauth2_redirect_url and not _has_route(app, oauth2_redirect_url):
        # FastAPI adds it (it loads nothing) only along with its own /docs
        app.get(oauth2_redirect_url, include_in_schema=False)(_oauth2_redirect)

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # behind a proxy that mounts the API under a prefix, every URL carries it
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=oauth2_redirect_url and root + oauth2_redirect_url,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,  # they come from Google: ReDoc falls back to system fonts
        )


def _redoc_script() -> Callable[[Request], Awaitable[Response]]:
    """A route answering ReDoc's script without the logo's address; revalidated by ETag
    (1 MB: a reload sends it again only if the service was upgraded)."""
    script = (ASSETS_DIR / REDOC_JS).read_bytes().replace(REDOC_LOGO, NO_IMAGE)
    etag = '"' + hashlib.sha256(script).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}

    async def redoc_script(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(script, media_type="text/javascript; charset=utf-8", headers=headers)

    return redoc_script


def _has_route(app: FastAPI, path: str) -> bool:
    return any(isinstance(r, Route) and r.path == path for r in app.router.routes)


async def _oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()
