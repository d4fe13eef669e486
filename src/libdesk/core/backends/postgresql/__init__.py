"""PostgreSQL as Django's backend runs it, within libpq's limit on a statement's values."""
