"""The mistake issue 11 found: a case-insensitive match compiled once would skip the LIKE
escaping, so "a_b" would match "axb"."""

from libdesk.core.statements import Select
from libdesk.library.models import Branch

BRANCH_NAMED = Select(lambda name: Branch.objects.filter(name__iexact=name), name=str)
