"""Database backends of libdesk's own (Django's, with what libdesk needs added)."""
