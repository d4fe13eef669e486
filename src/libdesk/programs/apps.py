from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """Programs and events: what the library offers the community, with fair registration
    (a first-come waitlist), calendar feeds, and contact details removed after the event."""

    name = "libdesk.programs"
    label = "programs"
