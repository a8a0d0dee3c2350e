"""The JSON API under ``/api/v1`` (blueprint ``api``, defined in ``_common``): threads and
comments, counts, the form's stamp, the OpenAPI description, and readers' reports. Each module
adds its routes to the one blueprint; importing the package brings them all."""

from commentsvc.views.api import comments, reports
from commentsvc.views.api._common import bp

__all__ = ["bp", "comments", "reports"]
