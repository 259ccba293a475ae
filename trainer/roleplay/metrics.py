"""Agreement figures shared by `flask roleplay validate` and the calibration page.

Small, exact formulas (scipy is not a dependency): Spearman's rank correlation with average
ranks for ties, quadratic weighted kappa, exact and adjacent agreement.
"""

import math


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing the average of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r (None when fewer than two pairs or a side does not vary)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho: Pearson's r of the ranks (ties averaged)."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs two lists of the same length")
    return pearson(ranks(xs), ranks(ys))


def quadratic_weighted_kappa(pairs: list[tuple[int, int]], low: int, high: int) -> float | None:
    """Cohen's kappa with quadratic weights on the categories low..high (None if undefined).

    Undefined when the expected disagreement is zero, e.g. when both raters used one category.
    """
    k = high - low + 1
    if not pairs or k < 2:
        return None
    observed = [[0.0] * k for _ in range(k)]
    for a, h in pairs:
        observed[a - low][h - low] += 1
    n = len(pairs)
    rows = [sum(observed[i]) for i in range(k)]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weighted_observed = weighted_expected = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            weighted_observed += weight * observed[i][j]
            weighted_expected += weight * rows[i] * cols[j] / n
    if weighted_expected == 0:
        return None
    return 1 - weighted_observed / weighted_expected


def exact_agreement(pairs: list[tuple[int, int]]) -> float | None:
    """Share of pairs with the same score."""
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def adjacent_agreement(pairs: list[tuple[int, int]]) -> float | None:
    """Share of pairs at most one scale point apart."""
    return sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs) if pairs else None
