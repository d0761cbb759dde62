"""Imported sessions keep their title and a fingerprint of what the note said.

``title`` is the heading a note gave the session ("AUTONOMOUS WORK SESSION 5 -
COMPLETE"), kept apart from ``objective`` (its focus or objective when the note
states one). ``import_digest`` is a hash of the session's content as read: a
second import with the same ``import_key`` and digest is "unchanged", with a
different digest "differs" (kept unless ``import --replace``). Both columns
stay NULL for live sessions.
"""

SQL = """
ALTER TABLE sessions ADD COLUMN title TEXT;
ALTER TABLE sessions ADD COLUMN import_digest TEXT;
"""
