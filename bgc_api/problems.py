"""RFC 9457 problem documents for every error the API returns."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

PROBLEM_MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Invalid request parameter",
    404: "Not found",
    405: "Method not allowed",
    503: "Service unavailable",
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


def _validation_detail(exc: ValidationException) -> tuple[str, list[dict[str, Any]]]:
    errors = [e for e in (exc.extra or []) if isinstance(e, dict)]
    if not errors:
        return exc.detail, []
    parts = [f"{e.get('key', 'parameter')}: {e.get('message', 'invalid')}" for e in errors]
    return "; ".join(parts), errors


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Turn Litestar's HTTP errors (404, 405, validation 400, ...) into problem documents."""
    if isinstance(exc, ValidationException):
        detail, errors = _validation_detail(exc)
        return problem(400, detail, errors=errors)
    response = problem(exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Never leak a traceback: log it and answer a 500 problem."""
    request.logger.exception("unhandled error on %s", request.url.path)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal error")
