"""Quiz jobs: large GIFT imports into the bank (quizzes/bankimport.py)."""

from trainer.core import importruns
from trainer.core.i18n import _l
from trainer.core.jobs import job
from trainer.quizzes import bankimport

importruns.register_kind(
    bankimport.KIND, _l("GIFT import"), "quiz_bank.import_gift", bankimport.JOB
)


@job(bankimport.JOB, retries=2, retry_delay=30, lease_seconds=600)
def import_gift(run_id: int) -> None:
    """Write one checked GIFT upload in batches; a rerun resumes after the last batch."""
    bankimport.run(run_id)
