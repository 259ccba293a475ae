"""`flask llm check`: what the configured OpenAI-compatible server supports, for an admin."""

import json

import click

from trainer.roleplay import llmcheck

UNCONFIGURED, FAILED = 2, 1


@click.group("llm")
def llm_group() -> None:
    """The LLM server (customer replies and the judge)."""


def _yes_no(value) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _text(report: dict) -> str:
    lines = [
        f"Server:            {report['base_url']}",
        f"Model:             {report['model']}",
        f"Judge in use:      {report['judge']}",
        f"Reachable:         {_yes_no(report['reachable'])}",
    ]
    if report["models"] is not None:
        listed = "listed" if report["model"] in report["models"] else "NOT listed"
        shown = ", ".join(report["models"][:10]) or "none"
        lines.append(f"Models:            {shown} (configured model {listed})")
    lines += [
        f"Streaming:         {_yes_no(report['streaming'])}",
        "Latency:           "
        + (
            f"{report['latency_ms']} ms (first token {report['first_token_ms']} ms)"
            if report["latency_ms"] is not None
            else "unknown"
        ),
        f"Usage reported:    {_yes_no(report['usage_reported'])}",
        "Structured output: "
        + (", ".join(f"{d} {r}" for d, r in report["dialects"].items()) or "not checked"),
        f"Dialect used:      {report['dialect'] or 'none: the offline judge will grade'}",
    ]
    for problem in report["problems"]:
        lines.append(f"Problem:           {problem['step']}: {problem['kind']} {problem['detail']}")
    lines.append("Result:            " + ("OK" if report["ok"] else "NOT USABLE"))
    return "\n".join(lines)


@llm_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(as_json: bool) -> None:
    """Check the configured server: models, streaming, structured output, latency, usage."""
    report = llmcheck.run_check().as_dict()
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else _text(report))
    if not report["configured"]:
        click.echo(
            "No LLM server configured: set OPENAI_API_KEY (and OPENAI_BASE_URL, "
            "TRAINER_LLM_MODEL for a local server). Customers are scripted and grading is offline.",
            err=True,
        )
        raise SystemExit(UNCONFIGURED)
    if not report["reachable"]:
        click.echo(f"The LLM server at {report['base_url']} cannot be reached.", err=True)
        raise SystemExit(FAILED)
    if not report["ok"]:
        click.echo("The LLM server answers but cannot be used as configured.", err=True)
        raise SystemExit(FAILED)
