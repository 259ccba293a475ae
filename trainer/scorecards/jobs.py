"""Scorecard jobs: large KPI CSV imports (scorecards/kpi_import_job.py)."""

from trainer.core import importruns
from trainer.core.i18n import _l
from trainer.core.jobs import job
from trainer.scorecards import kpi_import_job

importruns.register_kind(
    kpi_import_job.KIND, _l("KPI import"), "kpi_admin.upload", kpi_import_job.JOB
)


@job(kpi_import_job.JOB, retries=2, retry_delay=30, lease_seconds=600)
def import_kpi(run_id: int) -> None:
    """Write one checked KPI file in batches; a rerun resumes after the last batch."""
    kpi_import_job.run(run_id)
