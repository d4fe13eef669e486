"""Reference data shared by every door, and the base every rule row builds on."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """Base for every rule row (loan periods, limits, retention...): each names its clause.

    `clause` holds a clause id such as "OP-02-01-01/equal-consideration"; it is resolved
    against the version in force, so a new policy version keeps its rules attached.
    """

    clause = models.CharField(max_length=120)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(clause=""), name="%(app_label)s_%(class)s_names_clause"
            )
        ]

    def rule_summary(self) -> str:
        """One line for the policy page's "rules under this clause" list."""
        return str(self)


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


class SignInLock(models.Model):
    """Failed sign-ins for one account on one channel, and the lock they caused.

    A subject is "staff:<id>" or "patron:<id>" for a known account, and "anon:<keyed hash>" for
    a card or user name nobody has, so that an unknown one answers exactly like a known one
    without the typed value being stored. Channels are "online" (web and API together) and
    "kiosk"; locking one never locks another, nor the desk serving the card in hand.
    Failures count within a window from the first one; a row is deleted once both its window
    and its lock have run out (`expires_at`).
    """

    subject = models.CharField(max_length=80)
    channel = models.CharField(max_length=10)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)  # a lock staff lifted early
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "channel"], name="sign_in_lock_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} on {self.channel}: {self.failures} failures"


class WorkerBeat(models.Model):
    """A background worker's heartbeat (core/leases.py): a task still marked running whose
    worker has been silent longer than LIBDESK_TASK_LEASE_SECONDS is put back in the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id


class JobRun(models.Model):
    """One periodic job in one period, whichever node ran it (core/leases.py): the hourly jobs
    run once across every node. `lease_until` lets another node take over a run whose node
    died; `skipped` counts the nodes that found the period's run already taken."""

    name = models.CharField(max_length=60)
    period_start = models.DateTimeField()
    holder = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    lease_until = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="job_run_once_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period_start:%Y-%m-%d %H:%M}"


class CacheCounter(models.Model):
    """One counter of the database cache (core/dbcache.py): hits on a rate limit's key (a
    form or the search, the window, and a keyed hash of the address; never the address), until
    `expires`. On PostgreSQL the table is unlogged: a crash empties it."""

    name = models.CharField(max_length=255, primary_key=True)
    hits = models.PositiveIntegerField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.hits}"
