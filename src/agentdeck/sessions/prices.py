"""Model prices, in US dollars per million tokens, and what a usage costs.

The table below ships with agentdeck (``AS_OF`` says when it was copied from the
providers' price pages); ``[prices]`` in ``agentdeck.toml`` overrides or adds
models. A model that is in neither has no cost: its tokens are kept and its
cost is reported as unknown, never guessed from a similar name. Names are
matched exactly after dropping a provider prefix (``anthropic/``) and a date
suffix (``-20250929``), so ``claude-sonnet-4-5-20250929`` finds
``claude-sonnet-4-5`` but ``gpt-5.1-mini`` never falls back to ``gpt-5``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentdeck.errors import ConfigError

AS_OF = "2025-11"

#: model -> (input, output, cache_read, cache_write), dollars per million tokens.
BUILTIN: dict[str, tuple[float, float, float, float]] = {
    # Anthropic: cache_write is the 5-minute cache write price.
    "claude-opus-4-5": (5.0, 25.0, 0.50, 6.25),
    "claude-opus-4-1": (15.0, 75.0, 1.50, 18.75),
    "claude-opus-4": (15.0, 75.0, 1.50, 18.75),
    "claude-sonnet-4-5": (3.0, 15.0, 0.30, 3.75),
    "claude-sonnet-4": (3.0, 15.0, 0.30, 3.75),
    "claude-3-7-sonnet": (3.0, 15.0, 0.30, 3.75),
    "claude-3-5-sonnet": (3.0, 15.0, 0.30, 3.75),
    "claude-haiku-4-5": (1.0, 5.0, 0.10, 1.25),
    "claude-3-5-haiku": (0.80, 4.0, 0.08, 1.0),
    "claude-3-haiku": (0.25, 1.25, 0.03, 0.30),
    "claude-3-opus": (15.0, 75.0, 1.50, 18.75),
    # OpenAI: cached input is billed at the cache_read price; no cache writes.
    "gpt-5": (1.25, 10.0, 0.125, 0.0),
    "gpt-5-codex": (1.25, 10.0, 0.125, 0.0),
    "gpt-5.1": (1.25, 10.0, 0.125, 0.0),
    "gpt-5.1-codex": (1.25, 10.0, 0.125, 0.0),
    "gpt-5-mini": (0.25, 2.0, 0.025, 0.0),
    "gpt-5-nano": (0.05, 0.40, 0.005, 0.0),
    "gpt-4.1": (2.0, 8.0, 0.50, 0.0),
    "gpt-4.1-mini": (0.40, 1.60, 0.10, 0.0),
    "gpt-4o": (2.50, 10.0, 1.25, 0.0),
    "o3": (2.0, 8.0, 0.50, 0.0),
    "o4-mini": (1.10, 4.40, 0.275, 0.0),
    "codex-mini-latest": (1.50, 6.0, 0.375, 0.0),
}

_FIELDS = ("input", "output", "cache_read", "cache_write")
_DATE = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens of each kind; ``None`` where the price is not known."""

    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None
    source: str = "built-in"


def normalise(model: str) -> str:
    """The name prices are looked up by: no provider prefix, no date suffix, lower case."""
    name = model.strip().lower()
    if "/" in name:
        name = name.rsplit("/", 1)[1]
    return _DATE.sub("", name)


class PriceTable:
    """The built-in prices with the user's ``[prices]`` on top."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._prices: dict[str, Price] = {name: Price(*values) for name, values in BUILTIN.items()}
        for name, spec in (overrides or {}).items():
            self._prices[normalise(name)] = _check_override(name, spec)

    def lookup(self, model: str) -> Price | None:
        """The price of ``model``, or ``None`` when it is unknown."""
        return self._prices.get(model.strip().lower()) or self._prices.get(normalise(model))

    def cost(
        self, model: str, *, input: int, output: int, cache_read: int = 0, cache_write: int = 0
    ) -> float | None:
        """Dollars for these tokens, or ``None`` when any needed price is unknown."""
        price = self.lookup(model)
        if price is None:
            return None
        total = input * price.input + output * price.output
        for count, rate in ((cache_read, price.cache_read), (cache_write, price.cache_write)):
            if count:
                if rate is None:
                    return None
                total += count * rate
        return total / 1_000_000


def _check_override(name: str, spec: Any) -> Price:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"[prices] {name} must be a table like {{ input = 3.0, output = 15.0 }}")
    unknown = sorted(set(spec) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"[prices] {name}: unknown key '{unknown[0]}' (known: {', '.join(_FIELDS)})"
        )
    values: dict[str, float | None] = {}
    for key in _FIELDS:
        value = spec.get(key)
        if value is None:
            if key in ("input", "output"):
                raise ConfigError(f"[prices] {name} needs '{key}' (dollars per million tokens)")
            values[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"[prices] {name}.{key} must be a number of dollars, not {value!r}")
        values[key] = float(value)
    return Price(
        values["input"],  # type: ignore[arg-type]
        values["output"],  # type: ignore[arg-type]
        values["cache_read"],
        values["cache_write"],
        source="agentdeck.toml",
    )
