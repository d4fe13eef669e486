"""The catalogue. The original MARC record is the source of truth; every other column on a
Record is derived from it at import, for display, grouping and search."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.core import clock


class Work(models.Model):
    """Records of one work (normalised title + main author): other editions and formats to
    offer when one is not available."""

    key = models.CharField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.key


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book")
    LARGE_PRINT = "large_print", _("Large print")
    EBOOK = "ebook", _("E-book")
    AUDIOBOOK = "audiobook", _("Audiobook")
    MUSIC = "music", _("Music recording")
    SCORE = "score", _("Music score")
    DVD = "dvd", _("DVD or video")
    MAGAZINE = "magazine", _("Magazine or journal")
    MAP = "map", _("Map")
    GAME = "game", _("Game or kit")
    OTHER = "other", _("Other")


class Record(models.Model):
    """A catalogue record: the MARC21 record as imported (repaired where MARC forbids what it
    held) and the fields derived from it that search, facets and pages use."""

    # MARC 001, stripped. Indexed on its own: the partial unique index below cannot serve
    # `control_number IN (...)`, and a scan per import batch made imports quadratic.
    control_number = models.CharField(max_length=64, blank=True, db_index=True)
    control_source = models.CharField(max_length=32, blank=True)  # MARC 003
    lccn = models.CharField(max_length=32, blank=True, db_index=True)
    marc = models.BinaryField()  # ISO 2709, UTF-8
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="records")
    title = models.TextField()
    subtitle = models.TextField(blank=True)
    responsibility = models.TextField(blank=True)
    authors = models.JSONField(default=list)
    subjects = models.JSONField(default=list)
    series = models.JSONField(default=list)
    isbns = models.JSONField(default=list)
    issns = models.JSONField(default=list)
    publisher = models.TextField(blank=True)
    year = models.IntegerField(null=True, blank=True)
    language = models.CharField(max_length=3, blank=True)
    audience = models.CharField(max_length=20, blank=True)
    material_type = models.CharField(max_length=20, choices=MaterialType.choices)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["control_number", "control_source"],
                condition=~Q(control_number=""),
                name="record_control_number_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RecordIdentifier(models.Model):
    """ISBNs (as 13 digits), ISSNs and LCCNs, for the straight-to-record lookup."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="identifiers")
    value = models.CharField(max_length=32, db_index=True)

    def __str__(self) -> str:
        return self.value


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    ON_HOLD_SHELF = "on_hold_shelf", _("On the hold shelf")
    IN_TRANSIT = "in_transit", _("In transit")
    MISSING = "missing", _("Missing")
    LOST = "lost", _("Lost")
    IN_REPAIR = "in_repair", _("In repair")
    DAMAGED = "damaged", _("Damaged")
    CLAIMED_RETURNED = "claimed_returned", _("Claimed returned")
    LIBRARY_USE = "library_use", _("For use in the library")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Item(models.Model):
    """A copy of a record on a branch's shelves, known by its barcode; circulation owns its
    lending statuses (on loan, on the hold shelf, in transit...)."""

    barcode = models.CharField(max_length=32, unique=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=60, blank=True)
    call_number = models.CharField(max_length=100, blank=True)
    collection = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    # Where an item in transit is going (its pickup branch, or home); circulation sets it.
    in_transit_to = models.ForeignKey(
        "library.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the copy joined the collection (new arrivals: outreach's pages, feeds and
    # newsletters). Unknown (null) for copies added before libdesk recorded it.
    added_at = models.DateTimeField(null=True, blank=True, default=clock.now, db_index=True)

    class Meta:
        ordering = ["branch__code", "call_number", "barcode"]
        indexes = [models.Index(fields=["record", "branch", "status"])]

    def __str__(self) -> str:
        return self.barcode


class OutboxEntry(models.Model):
    """A catalogue change for the search index, written in the change's own transaction. Every
    node applies it to its own index (catalog/search/follower.py); it is deleted once every
    live node has passed it."""

    record_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"reindex record {self.record_id}"


class IndexNode(models.Model):
    """One node's search index and how far it has followed the outbox (docs/deployment-nodes.md).

    `cursor` is the outbox id up to which every entry is in this node's index (None: the
    index must be rebuilt first). `seen_at` is the node's heartbeat: a node silent longer
    than LIBDESK_NODE_TIMEOUT_SECONDS no longer holds back the outbox's pruning, and rebuilds
    its index if it comes back behind what was pruned."""

    node_id = models.CharField(max_length=200, unique=True)
    cursor = models.BigIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.node_id


class OutboxHorizon(models.Model):
    """One row: the highest outbox id ever pruned. A node whose cursor is below it has missed
    entries and rebuilds its index."""

    pruned_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"outbox pruned through {self.pruned_through}"


class SavedList(models.Model):
    """A patron's named list of records ("to read", "for the book club"). Only the patron
    makes and fills it, from the catalogue: it is never filled from their loans (a reading
    history is kept only with consent, circulation.reading_history)."""

    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patron", "name"], name="one_saved_list_per_name"),
        ]

    def __str__(self) -> str:
        return f"saved list {self.pk}"


class SavedListEntry(models.Model):
    """A record on a saved list."""

    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["saved_list", "record"], name="record_once_per_list"),
        ]

    def __str__(self) -> str:
        return f"saved list entry {self.pk}"
