"""libdesk: library services platform for public libraries."""

__version__ = "0.1.0"
