"""Notes: rendered session reports, history and hand-off; import of existing notes; verification of reports."""
