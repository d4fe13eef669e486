from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> converter
from libdesk.sip2 import views

app_name = "sip2"

urlpatterns = [
    path("", views.terminals, name="terminals"),
    path("new/", views.new_terminal, name="new-terminal"),
    path("<id:terminal_id>/", views.edit_terminal, name="edit-terminal"),
    path("<id:terminal_id>/password/", views.terminal_password, name="terminal-password"),
]
