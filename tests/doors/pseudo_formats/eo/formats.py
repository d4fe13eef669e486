"""The pseudo-locale's formats: English's long forms (Esperanto's own, Django's default for
its code, hold words such as "de" and "je" that are no one's interface text)."""

from libdesk.formats.en.formats import *  # noqa: F403
