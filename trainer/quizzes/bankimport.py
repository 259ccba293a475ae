"""GIFT uploads to the bank: checked whole in the request, written at once when small, else by
the job "quizzes.import_gift" in batches that commit, with a progress page (core/importruns.py).

Limits come before parsing: the upload's size (`MAX_GIFT_BYTES`, read no further) and the
parser's block count (`MAX_QUESTIONS`). Parsing validates every question, so a file with any
problem writes nothing; a valid file with more than `SYNC_LIMIT` questions is written batch by
batch (each batch and the run's count in one transaction: a killed worker resumes after the last
batch, nothing twice).
"""

from collections import Counter

from trainer.accounts.models import User
from trainer.core import importruns
from trainer.core.i18n import _, message_locale
from trainer.core.problems import Problem
from trainer.extensions import db
from trainer.quizzes.bank import BankError, import_spec
from trainer.quizzes.gift import GiftError, parse_gift
from trainer.quizzes.gift.parser import GiftResult

KIND = "quizzes.gift"
JOB = "quizzes.import_gift"
SYNC_LIMIT = 50  # questions written inside the request; more go to the job
MAX_GIFT_BYTES = 4 * 1024 * 1024


def read_upload(stream) -> str:
    """The uploaded file as text, refused (GiftError) when too large or not UTF-8."""
    data = stream.read(MAX_GIFT_BYTES + 1)
    if len(data) > MAX_GIFT_BYTES:
        limit = MAX_GIFT_BYTES // (1024 * 1024)
        raise GiftError([Problem.at(1, _("The file is larger than %(n)s MB; split it.", n=limit))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GiftError([Problem.at(1, _("The file is not UTF-8 text."))]) from None


def check(text: str, category: str | None) -> GiftResult:
    """Parse and validate every question; GiftError lists every problem (nothing written)."""
    return parse_gift(text, category=category.strip() if category else None)


def is_large(result: GiftResult) -> bool:
    """True when the upload goes to the job rather than being written in the request."""
    return len(result.questions) > SYNC_LIMIT


def queue(text: str, result: GiftResult, category: str | None, actor, filename: str):
    """Store the checked upload and queue its job (the caller commits); the import run."""
    warnings = [{"line": w.line, "message": w.message} for w in result.warnings]
    return importruns.start(
        KIND,
        actor,
        text,
        len(result.questions),
        filename=filename,
        category=(category or "").strip(),
        warnings=warnings,
    )


def run(run_id: int) -> None:
    """The job: write the run's questions from where it stands, a batch per transaction."""
    work = importruns.claim(run_id)
    if work is None:
        return  # finished already (a second delivery)
    actor = db.session.get(User, work.user_id) if work.user_id else None
    with message_locale(actor.locale if actor else None):
        specs = check(work.payload, work.options.get("category") or None).questions
        while work.done < len(specs):
            batch = specs[work.done : work.done + importruns.BATCH]
            counts: Counter = Counter()
            try:
                for spec in batch:
                    counts[import_spec(spec, actor=actor, source="import")] += 1
            except BankError as error:
                db.session.rollback()
                work = db.session.get(importruns.ImportRun, run_id)
                importruns.finish(work, [{"line": spec.line, "message": str(error)}])
                return
            importruns.advance(work, len(batch), dict(counts))
            db.session.commit()
    importruns.finish(work)
