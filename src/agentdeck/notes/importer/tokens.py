"""``Tokens``: the classified lines of a note held in memory.

A module of its own because it is the one class of the reader that the
compiled build (``tools/build_native.py``) leaves as Python:
mypyc does not compile subclasses of ``list``.
"""

from __future__ import annotations


class Tokens(list):  # type: ignore[type-arg]
    """Lines already classified; ``tokenize`` passes them through (one pass, not two)."""
