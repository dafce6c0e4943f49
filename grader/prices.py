"""Prices per model, in USD per million tokens (input, output), overridable in config.

The defaults are list prices as published by the providers when this table was written; set
``prices`` in the config file (``[prices]`` with ``"model" = [input, output]``) to correct them.
Models served locally (any ``--base-url`` on 127.0.0.1/localhost) cost nothing.
"""

from __future__ import annotations

from grader.errors import Usage

__all__ = ["DEFAULT_PRICES", "price_for", "cost_of"]

DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}


def price_for(
    model: str, overrides: dict[str, tuple[float, float]] | None = None, base_url: str | None = None
) -> tuple[float, float] | None:
    """The model's price, or None when it is unknown (the cost is then reported as unknown)."""
    table = {**DEFAULT_PRICES, **(overrides or {})}
    if model in table:
        return table[model]
    if base_url and any(h in base_url for h in ("127.0.0.1", "localhost", "[::1]")):
        return (0.0, 0.0)
    # dated snapshots ("gpt-4o-mini-2024-07-18") take their family's price
    for name in sorted(table, key=len, reverse=True):
        if model.startswith(name):
            return table[name]
    return None


def cost_of(usage: Usage, price: tuple[float, float] | None) -> float | None:
    if price is None:
        return None
    return (usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1_000_000
