"""agentdeck: the command deck for autonomous coding agents.

The package is a library first: every capability is a typed core function that
takes a workspace or store and returns plain data. The CLI in ``agentdeck.cli``
is a thin face over it.
"""

__version__ = "0.1.0"
