"""Migrations, one module each, applied in name order. See ``agentdeck.store.migrate``.

Append only: never edit a migration that has been released; add a new one.
"""
