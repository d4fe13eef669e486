"""Mail about registrations, sent after the change commits. The notices of a place given from
the waitlist and of a cancelled event are background tasks, each idempotent (a registration
remembers the last notice it was sent). The confirmation carries the private cancel link,
whose token is kept nowhere, not even in the task queue: it is sent once, on commit, by the
request that registered."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django_tasks import task

from libdesk.core import clock
from libdesk.programs.models import Registration, Status


def _address_and_language(registration: Registration) -> tuple[str, str]:
    if registration.patron_id is not None:
        patron = registration.patron
        return patron.email, patron.language or registration.language
    return registration.contact_email, registration.language


def _when(registration: Registration) -> str:
    moment = registration.event.starts_at.astimezone(clock.library_zone())
    return formats.date_format(moment, "DATETIME_FORMAT")


def _send(subject: str, body: str, address: str) -> None:
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )


def _about(registration: Registration, language: str) -> dict:
    event = registration.event
    return {
        "title": event.title(language),
        "when": _when(registration),
        "where": f"{event.branch.name}" + (f", {event.room}" if event.room else ""),
    }


def send_registration_confirmation(registration_id: int, cancel_url: str) -> None:
    """The confirmation, with the private cancel link (the only copy of the token)."""
    registration = (
        Registration.objects.select_related("event__branch", "patron")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    address, language = _address_and_language(registration)
    if not address:
        return
    with translation.override(language):
        about = _about(registration, language)
        if registration.status == Status.REGISTERED:
            text = _("You are registered for %(title)s, %(when)s, at %(where)s.") % about
        else:
            text = (
                _(
                    "%(title)s (%(when)s, at %(where)s) is full: you are on the waitlist. If a "
                    "place opens, the first in line gets it and is told by e-mail."
                )
                % about
            )
        text += "\n\n" + _(
            "To cancel, or to decline a place offered to you, open this private link:\n%(link)s"
        ) % {"link": cancel_url}
        _send(_("Your registration: %(title)s") % about, text, address)


def _notify(registration_id: int, notice: str, wanted: tuple[str, ...]) -> None:
    with transaction.atomic():
        registration = (
            # only the registration's row: PostgreSQL cannot lock the nullable patron's side
            Registration.objects.select_for_update(of=("self",))
            .select_related("event__branch", "patron")
            .filter(pk=registration_id, status__in=wanted)
            .exclude(notified=notice)
            .first()
        )
        if registration is None:
            return
        address, language = _address_and_language(registration)
        by_mail = registration.patron is None or registration.patron.notices_events == "email"
        if address and by_mail:  # a patron may have asked for no event notices
            with translation.override(language):
                about = _about(registration, language)
                if notice == "promoted":
                    subject = _("A place opened for you: %(title)s") % about
                    body = (
                        _(
                            "Good news: a place opened for %(title)s, %(when)s, at %(where)s, and "
                            "it is yours: you are now registered. If you cannot come, decline it "
                            "with the private link in your first e-mail (or from your account), "
                            "so that the next person in line gets it."
                        )
                        % about
                    )
                else:
                    subject = _("Cancelled: %(title)s") % about
                    body = (
                        _("We are sorry: %(title)s, %(when)s, at %(where)s, has been cancelled.")
                        % about
                    )
                _send(subject, body, address)
        registration.notified = notice
        registration.save(update_fields=["notified"])


@task()
def send_promotion_notice(registration_id: int) -> None:
    """Tell a person given a place from the waitlist that they are registered."""
    _notify(registration_id, "promoted", (Status.REGISTERED,))


@task()
def send_event_cancelled_notice(registration_id: int) -> None:
    """Tell a person registered or waiting that the event is cancelled."""
    _notify(registration_id, "event_cancelled", (Status.REGISTERED, Status.WAITLISTED))
