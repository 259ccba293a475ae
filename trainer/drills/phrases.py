"""An agent's saved quick replies for the drill workspace."""

from trainer.core.i18n import _
from trainer.drills.models import DrillPhrase
from trainer.extensions import db

MAX_PHRASES = 20
MAX_CHARS = 200


class PhraseRefused(ValueError):
    """A phrase that cannot be saved; the message is in the user's language."""


def user_phrases(user) -> list[DrillPhrase]:
    """The agent's phrases, oldest first (their order on the workspace: Alt+Q, W …)."""
    return list(
        db.session.scalars(
            db.select(DrillPhrase).where(DrillPhrase.user_id == user.id).order_by(DrillPhrase.id)
        )
    )


def add_phrase(user, text: str) -> DrillPhrase:
    """Save a phrase after checking its length and the count."""
    text = (text or "").strip()
    if not text:
        raise PhraseRefused(_("Write the phrase first."))
    if len(text) > MAX_CHARS:
        raise PhraseRefused(_("A phrase can be at most %(n)d characters.", n=MAX_CHARS))
    if len(user_phrases(user)) >= MAX_PHRASES:
        raise PhraseRefused(_("You can keep at most %(n)d phrases.", n=MAX_PHRASES))
    phrase = DrillPhrase(user_id=user.id, text=text)
    db.session.add(phrase)
    db.session.flush()
    return phrase


def delete_phrase(user, phrase_id: int) -> bool:
    """Delete one of the agent's own phrases; False when there is no such phrase."""
    phrase = db.session.get(DrillPhrase, phrase_id)
    if phrase is None or phrase.user_id != user.id:
        return False
    db.session.delete(phrase)
    db.session.flush()
    return True
