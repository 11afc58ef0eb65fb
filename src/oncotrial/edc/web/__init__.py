"""The EDC's JSON API (FastAPI; OpenAPI at ``/docs``): each endpoint calls one service method.

Authentication: ``POST /api/login`` returns a token; send it as ``Authorization: Bearer <token>``.
Errors are JSON ``{"error", "message", "field", "hint"}`` with the status of the service's error
(404 for anything of another site, 409 for a lost update with ``current``, 422 for a value the
checks refuse, naming the item).
"""

from oncotrial.edc.web._api import MAX_BODY_BYTES, app_from_env, create_app

__all__ = ["MAX_BODY_BYTES", "app_from_env", "create_app"]
