"""Allow ``python -m agentdeck``."""

from agentdeck.cli import main

if __name__ == "__main__":
    main()
