"""Role-play jobs: grading an ended session with the LLM judge (see autograde.py)."""

from trainer.core.jobs import job
from trainer.roleplay import autograde


@job(
    autograde.GRADE_JOB,
    retries=3,
    retry_delay=15,
    backoff=2.0,
    lease_setting="ROLEPLAY_GRADING_LEASE",
)
def grade_session(session_id: int) -> None:
    """Grade one session exactly once: a rerun after a killed worker takes over its claim, a
    second delivery finds the grade stored and does nothing."""
    autograde.grade_in_job(session_id)
