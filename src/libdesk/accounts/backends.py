"""The only authentication backend: whatever calls Django's `authenticate()` (the admin site's
own sign-in form included), a staff password goes through the one sign-in path, with its
lockout, and nobody who signs in with a second factor is let in by a password alone."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from libdesk.accounts import second_factor, services
from libdesk.core.decisions import Refused


class StaffBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            user = services.check_password(username or "", password or "")
        except (services.StaffSignInFailed, Refused):
            return None
        if user.needs_second_factor or second_factor.confirmed(user):
            return None  # the staff sign-in page asks for the code
        return user
