from django.urls import path

from libdesk.web import monitoring_views

app_name = "monitoring"

urlpatterns = [
    path("healthz", monitoring_views.healthz, name="healthz"),
    path("readyz", monitoring_views.readyz, name="readyz"),
    path("metrics", monitoring_views.metrics_view, name="metrics"),
]
