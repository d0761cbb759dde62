"""Ops: checks of the host and the project, and the tools built on them."""
