"""SQLite as Django's backend runs it, with write transactions queued (base.py says why)."""
