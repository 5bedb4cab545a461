from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from congvu.detection.api import router as detection_router
from congvu.tasks.api import api, not_found

api.add_router("/", detection_router)

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>[\s\S]*)$", not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congvu.twofactor.urls")),
    path("", include("congvu.web.urls")),
    path("", include("congvu.legal.urls")),
    path("", include("congvu.privacy.urls")),
    path("", include("congvu.staffing.urls")),
    path("", include("congvu.evaluation.urls")),
    path("", include("congvu.evaluation.innovation_urls")),
]

# A lost database answers 503 (Vietnamese page, JSON under /api/); see congvu/web/errors.py.
handler500 = "congvu.web.errors.server_error"
