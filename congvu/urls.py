from __future__ import annotations

from django.contrib import admin
from django.urls import path

from congvu.tasks.api import api

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
]
