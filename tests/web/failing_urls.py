"""libdesk's URLs plus one that fails, for the server-error page's tests."""

from django.urls import path

from libdesk.urls import urlpatterns as libdesk_urlpatterns


def fails(request):
    raise RuntimeError("a fault for the error page's test")


urlpatterns = [*libdesk_urlpatterns, path("fails/", fails)]
