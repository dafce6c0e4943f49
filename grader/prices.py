"""Prices per model, in USD per million tokens (input, output, cached input), overridable in config.

The defaults are list prices as published by the providers when this table was written; set
``prices`` in the config file (``[prices]`` with ``"model" = [input, output]`` or
``[input, output, cached_input]``) to correct them. Models served locally (any ``--base-url`` on
127.0.0.1/localhost) cost nothing.

Cached input: OpenAI bills the prompt tokens it served from its prompt cache
(``usage.prompt_tokens_details.cached_tokens``) at a discount. The third figure of each default
below is OpenAI's published "cached input" price for that model (platform.openai.com/docs/pricing:
50 % of the input price for the gpt-4o family, 25 % for gpt-4.1, 10 % for gpt-5). A price given
with only two figures (input, output) assumes no discount: cached tokens cost the input price
(:data:`UNKNOWN_CACHED_RATIO`), so the cost is never under-reported. The Batch API's half price
applies on top (the caller multiplies the whole cost).
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.errors import Usage

__all__ = ["DEFAULT_PRICES", "UNKNOWN_CACHED_RATIO", "Price", "price_for", "cost_of"]

#: (USD per 1M input tokens, per 1M output tokens, per 1M cached input tokens)
Price = tuple[float, float, float]

#: cached-input price / input price for a price given without a cached figure: 1.0, no discount assumed
UNKNOWN_CACHED_RATIO = 1.0

DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": (0.15, 0.60, 0.075),
    "gpt-4o": (2.50, 10.00, 1.25),
    "gpt-4.1": (2.00, 8.00, 0.50),
    "gpt-4.1-mini": (0.40, 1.60, 0.10),
    "gpt-4.1-nano": (0.10, 0.40, 0.025),
    "gpt-5-mini": (0.25, 2.00, 0.025),
    "gpt-5-nano": (0.05, 0.40, 0.005),
}


def _full(price: tuple[float, ...]) -> Price:
    if len(price) >= 3:
        return (price[0], price[1], price[2])
    return (price[0], price[1], price[0] * UNKNOWN_CACHED_RATIO)


def price_for(
    model: str, overrides: Mapping[str, tuple[float, ...]] | None = None, base_url: str | None = None
) -> Price | None:
    """The model's price, or None when it is unknown (the cost is then reported as unknown)."""
    table: dict[str, tuple[float, ...]] = {**DEFAULT_PRICES, **(overrides or {})}
    if model in table:
        return _full(table[model])
    if base_url and any(h in base_url for h in ("127.0.0.1", "localhost", "[::1]")):
        return (0.0, 0.0, 0.0)
    # dated snapshots ("gpt-4o-mini-2024-07-18") take their family's price
    for name in sorted(table, key=len, reverse=True):
        if model.startswith(name):
            return _full(table[name])
    return None


def cost_of(usage: Usage, price: tuple[float, ...] | None) -> float | None:
    """USD for ``usage``: cached prompt tokens at the cached-input price, the other prompt tokens at
    the input price, completion tokens at the output price."""
    if price is None:
        return None
    full = _full(price)
    cached = min(max(usage.cached_tokens, 0), usage.prompt_tokens)
    uncached = usage.prompt_tokens - cached
    return (uncached * full[0] + cached * full[2] + usage.completion_tokens * full[1]) / 1_000_000
