"""Pages describing each problem type: where a problem's `type` URI leads (RFC 9457 3.1.1)."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.errors import PROBLEM_TYPES, NotFound, ProblemType

# Documentation pages, like /docs: not operations of the API, so not in the OpenAPI document.
router = APIRouter(prefix="/problems", include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
<p><a href="/problems">Every problem type</a> · <a href="/docs">API documentation</a></p>
</body></html>
"""


def _section(problem: ProblemType) -> str:
    return (
        f'<section id="{problem.slug}"><h2><a href="{problem.uri}">{escape(problem.title)}</a>'
        f"</h2><p>HTTP status {problem.status}. Type <code>{problem.uri}</code>.</p>"
        f"<p>{escape(problem.description)}</p></section>"
    )


@router.get("")
def list_problem_types() -> HTMLResponse:
    """Every kind of problem the service answers with, described."""
    sections = "\n".join(_section(problem) for problem in PROBLEM_TYPES.values())
    body = (
        "<h1>Problem types</h1><p>Errors are RFC 9457 <code>application/problem+json</code> "
        "documents; their <code>type</code> leads here.</p>\n" + sections
    )
    return HTMLResponse(_PAGE.format(title="Problem types", body=body))


@router.get("/{slug}")
def get_problem_type(slug: str) -> HTMLResponse:
    """The page a problem's `type` URI resolves to: its title, status and meaning."""
    problem = PROBLEM_TYPES.get(slug)
    if problem is None:
        raise NotFound(f"No problem type is called {slug!r}; see /problems.")
    body = (
        f"<h1>{escape(problem.title)}</h1><p>HTTP status {problem.status}. Type "
        f"<code>{problem.uri}</code>.</p><p>{escape(problem.description)}</p>"
    )
    return HTMLResponse(_PAGE.format(title=escape(problem.title), body=body))
