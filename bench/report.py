"""Statistics and the Markdown table: throughput, percentiles, queries and ratios to bare Flask."""

import statistics

BARE = "bare Flask endpoint"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def summarise(samples, seconds: float, bare: dict | None = None) -> list[dict]:
    """One row per label: count, req/s, p50/p95/p99 in ms, queries per request, errors, ratios.

    `bare` is the bare endpoint's own row of the same run: `x_bare_rps` is the label's
    throughput over the bare endpoint's, `x_bare_p50` its p50 over the bare endpoint's p50.
    """
    rows = []
    labels = sorted(set(samples.times) | set(samples.errors))
    for label in labels:
        values = samples.times.get(label, [])
        queries = samples.queries.get(label, [])
        row = {
            "label": label,
            "count": len(values),
            "rps": len(values) / seconds,
            "p50_ms": percentile(values, 50) * 1000 if values else 0,
            "p95_ms": percentile(values, 95) * 1000 if values else 0,
            "p99_ms": percentile(values, 99) * 1000 if values else 0,
            "queries": statistics.fmean(queries) if queries else None,
            "errors": samples.errors.get(label, 0),
        }
        row["x_bare_rps"] = row["rps"] / bare["rps"] if bare and values else None
        row["x_bare_p50"] = row["p50_ms"] / bare["p50_ms"] if bare and values else None
        rows.append(row)
    return rows


def markdown_table(rows: list[dict]) -> str:
    """Rows as a Markdown table."""
    lines = [
        "| page / step | requests | req/s | req/s × bare | p50 ms | p95 ms | p99 ms "
        "| queries/req | errors | p50 × bare |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def fmt(value, spec: str) -> str:
        return "—" if value is None else format(value, spec)

    for r in rows:
        lines.append(
            f"| {r['label']} | {r['count']} | {r['rps']:.1f} | {fmt(r['x_bare_rps'], '.2f')} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{fmt(r['queries'], '.1f')} | {r['errors']} | {fmt(r['x_bare_p50'], '.1f')} |"
        )
    return "\n".join(lines)
