"""The API's OpenAPI description (``GET /api/v1/openapi.json``), loaded when first asked for."""

from commentsvc.openapi.description import openapi_description

__all__ = ["openapi_description"]
