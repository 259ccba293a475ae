"""Skills jobs: refresh an agent's snapshot (and open remediations) after new evidence.

Queued by the receivers in remediation.py inside the sender's transaction (a quiz submit, a
graded role-play, a lesson read), so that transaction writes only its own rows; keyed per agent
and coalescing, so a burst of events for one agent becomes one run.
"""

from trainer.core.jobs import job
from trainer.skills import remediation


@job(remediation.JOB, retries=2, retry_delay=30, lease_seconds=300, coalesce=True)
def refresh_agent(user_id: int, open_remediations: bool = True) -> None:
    """Refresh the agent's snapshot and, with `open_remediations`, open remediations for new
    weaknesses (idempotent: unique per trigger); the job runner commits, and a failure is
    retried by the queue."""
    remediation.refresh([user_id], open_remediations)
