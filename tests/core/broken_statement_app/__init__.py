"""An app that declares a statement libdesk must refuse, for the start-up tests
(test_statement_registry.py); never installed in libdesk's own settings."""
