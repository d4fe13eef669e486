"""Reference data shared by every door."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from libdesk.policies.models import Rule


class RateLimitRule(Rule):
    """How often one address may submit an anonymous form before waiting.

    Anonymous forms (sign-in, ask why, feedback, event registration) are open to anyone, so a
    limit per address keeps one caller from crowding out the rest, with no third-party CAPTCHA.
    """

    form = models.SlugField(max_length=40, unique=True)
    attempts = models.PositiveIntegerField()
    window_seconds = models.PositiveIntegerField()

    class Meta(Rule.Meta):
        ordering = ["form"]

    def __str__(self) -> str:
        return _("%(form)s: at most %(attempts)s attempts per address in %(minutes)s minutes") % {
            "form": self.form,
            "attempts": self.attempts,
            "minutes": self.window_seconds // 60,
        }
