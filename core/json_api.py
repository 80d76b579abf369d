"""The shape every JSON API of the portal answers in: UTF-8 JSON, errors as
`{"error": code, "detail": text}`, read-only (405 for other methods), open to any origin.

Used by the school directory API (services) and the free-slots API (forms)."""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

ALLOWED_METHODS = ("GET", "HEAD")


def json_response(data, status: int = 200) -> JsonResponse:
    """`data` as JSON, non-ASCII letters kept as they are (Arabic, Turkish names)."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def json_error(status: int, code: str, detail) -> JsonResponse:
    """An error a program can test (`code`) with a sentence a person can read (`detail`)."""
    return json_response({"error": code, "detail": str(detail)}, status=status)


def read_only_api(max_age: int):
    """Decorator of a read-only JSON view open to any origin: 405 for methods other than GET
    and HEAD, `Cache-Control: public, max-age=<max_age>` on its 200 answers, and every answer
    (errors and redirects too) readable by any origin."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ALLOWED_METHODS:
                response = json_error(405, "method_not_allowed", _("Cette API est en lecture seule."))
                response["Allow"] = ", ".join(ALLOWED_METHODS)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200:
                    response["Cache-Control"] = f"public, max-age={max_age}"
            response["Access-Control-Allow-Origin"] = "*"
            return response

        # Nothing is ever written, and a POST must get its 405 rather than a CSRF 403.
        return csrf_exempt(wrapper)

    return decorator
