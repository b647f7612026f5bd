"""RFC 9457 problem documents for every error the API returns."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from bgc_api.repository import DatabaseDown
from bgc_api.schemas import PROBLEM_MEDIA_TYPE
from bgc_core.domain import FIRST_YEAR

_TITLES = {
    400: "Invalid request parameter",
    404: "Not found",
    405: "Method not allowed",
    413: "Answer too large",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
QUERY_ALIASES = {"fmt": "format"}
"""Handler argument -> query parameter name, where they differ."""
YEAR_RULE = f"a year from {FIRST_YEAR} to next year"
PARAMETER_RULES = {
    "ano": YEAR_RULE,
    "ano_de": YEAR_RULE,
    "ano_ate": YEAR_RULE,
    "limit": "an integer from 1 to 1000",
    "offset": "an integer from 0 to 1000000",
    "format": "json or csv",
    "setor": "text of at most 100 characters, without control characters",
    "pais": "text of at most 100 characters, without control characters",
}


def problem(status: int, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    """A problem document response with ``status``, ``title`` and ``detail``."""
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _invalid_parameters(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = (
        [e for e in (exc.extra or []) if isinstance(e, dict)] if isinstance(exc.extra, list) else []
    )
    invalid = []
    for error in errors:
        name = str(error.get("key", "parameter"))
        name = QUERY_ALIASES.get(name, name)
        given = request.query_params.get(name)
        rule = PARAMETER_RULES.get(name)
        if "reason" in error:  # raised by our handlers, already worded for the client
            reason = str(error["reason"])
        elif rule:
            reason = f"must be {rule}"
        else:
            reason = str(error.get("message", "is invalid"))
        invalid.append({"name": name, "reason": reason, "value": given})
    if not invalid:
        return problem(400, exc.detail)
    detail = "; ".join(
        f"{p['name']}={p['value']!r}: {p['reason']}"
        if p["value"] is not None
        else f"{p['name']}: {p['reason']}"
        for p in invalid
    )
    return problem(400, detail, invalid_params=invalid)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's HTTP errors (404, 405, validation 400, ...) as problem documents."""
    if isinstance(exc, ValidationException):
        return _invalid_parameters(request, exc)
    response = problem(exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 429:  # the rate limiter says when its window resets
        reset = (exc.headers or {}).get("RateLimit-Reset", "")
        response.headers["Retry-After"] = str(max(1, int(reset) if reset.isdigit() else 60))
    return response


def handle_database_down(_: Request[Any, Any, Any], exc: DatabaseDown) -> Response[Any]:
    """The database is unreachable: answer at once, and say when to retry."""
    response = problem(503, str(exc))
    response.headers["Retry-After"] = "5"
    return response


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Never leak a traceback: log it and answer a 500 problem."""
    request.logger.exception("unhandled error on %s", request.url.path)
    return problem(500, "internal error")
