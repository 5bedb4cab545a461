from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from congvu.detection.api import router as detection_router
from congvu.tasks.api import api

api.add_router("/", detection_router)

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congvu.twofactor.urls")),
    path("", include("congvu.web.urls")),
]
