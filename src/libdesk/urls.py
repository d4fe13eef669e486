from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from libdesk.api.api import api

urlpatterns = [
    path("", include("libdesk.web.monitoring_urls")),
    path("", include("libdesk.web.urls")),
    path("", include("libdesk.circulation.urls")),
    path("", include("libdesk.library.urls")),
    path("", include("libdesk.patrons.urls")),
    path("", include("libdesk.privacy.urls")),
    path("", include("libdesk.catalog.urls")),
    path("", include("libdesk.rights.urls")),
    path("", include("libdesk.reference.urls")),
    path("", include("libdesk.feedback.urls")),
    path("", include("libdesk.outreach.urls")),
    path("", include("libdesk.programs.urls")),
    path("staff/", include("libdesk.accounts.urls")),
    path("staff/questions/", include("libdesk.policies.question_urls")),
    path("staff/audit/", include("libdesk.audit.urls")),
    path("staff/terminals/", include("libdesk.sip2.urls")),
    path("policies/", include("libdesk.policies.urls")),
    path("api/v1/", api.urls),
    path("i18n/language/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
