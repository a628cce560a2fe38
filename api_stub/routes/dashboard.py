"""GET /dashboard: the operators' dashboard, one self-contained HTML page (inline CSS and JS,
nothing from another host) over the /ops API.

The page's script is kept in a few files beside page.html: a line `// @include NAME.js` in
its one inline <script> is replaced by that file when the page is loaded, so the browser
still gets one inline script, which the CSP allows by its hash (a second script file
served at its own URL would need `script-src 'self'`, or a Trusted Types policy to load).

The page needs no key to load; it reads the operator key from its own sign-in form or from
`#key=…` (a fragment, never sent to a server), keeps it in the tab's sessionStorage and sends
it as `Authorization: Bearer` to /ops. The Content-Security-Policy allows exactly the page's
one inline script and one inline style (by their SHA-256), requests to this origin only,
and no form submission, framing or plugin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api_stub.errors import RateLimited, error_responses

# Not in the OpenAPI document: it is a page for people, not an operation of the API.
router = APIRouter(include_in_schema=False)



@dataclass(frozen=True)
class Page:
    """The page's text and the headers it is served with."""

    html: str
    headers: dict[str, str]


def _only(tag: str, html: str) -> str:
    """The text of the page's one inline `<tag>` element, exactly as the browser hashes it."""
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    if len(found) != 1:  # a second inline block would be refused by the CSP: fail loudly here
        raise RuntimeError(f"the dashboard page must have exactly one inline <{tag}> "
                           f"(found {len(found)})")
    return str(found[0])


def _sha256(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def content_security_policy(html: str) -> str:
    """The page's CSP: its own script and style only, fetches to this origin only."""
    return "; ".join([
        "default-src 'none'",
        f"script-src {_sha256(_only('script', html))}",
        f"style-src {_sha256(_only('style', html))}",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",        # the sign-in form is read by the script, never sent
        "frame-ancestors 'none'",    # no clickjacking of the retry and cancel buttons
        # the script writes the DOM through textContent only; this makes the browser hold it
        # to that (no innerHTML, no eval)
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ])


INCLUDE = re.compile(r"^[ \t]*// @include ([a-z0-9_-]+\.js)[ \t]*$", re.MULTILINE)


def assemble(read: Callable[[str], str]) -> str:
    """page.html with each `// @include NAME.js` line replaced by that file's text (`read`
    gives a file of the dashboard's folder by name)."""
    def include(match: re.Match[str]) -> str:
        text = read(match[1])
        if "</script" in text.lower() or INCLUDE.search(text):  # it would end the script
            raise RuntimeError(f"dashboard/{match[1]} must not hold </script> nor an include")
        return text.rstrip("\n")

    return INCLUDE.sub(include, read("page.html"))  # a function: its text is taken as is


def load_page() -> Page:
    """Read the page from the package (once, at import)."""
    folder = resources.files("api_stub").joinpath("dashboard")
    # read as text: universal newlines, so the hashes match what the browser parses
    html = assemble(lambda name: folder.joinpath(name).read_text(encoding="utf-8"))
    return Page(html=html, headers={
        "Content-Security-Policy": content_security_policy(html),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
    })


PAGE = load_page()


# its 429 (the rate limits cover every path), should it ever be in the document
@router.get("/dashboard", response_class=HTMLResponse, responses=error_responses(RateLimited))
async def dashboard() -> HTMLResponse:
    """The operators' dashboard (the data behind it needs an operator key)."""
    return HTMLResponse(PAGE.html, headers=PAGE.headers)
