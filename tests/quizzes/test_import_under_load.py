"""A maximal GIFT import does not take the app down (issue 11, finding 1).

Through a real threaded server on the test's file database (SQLite in WAL mode, or PostgreSQL):
a trainer posts the largest import the bank accepts (MAX_QUESTIONS questions) while other users
log in, open pages and autosave quiz answers. Every one of their requests succeeds, and the
import lands whole.
"""

import threading

import httpx
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.quizzes.conftest import right_fields
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.gift.parser import MAX_QUESTIONS
from trainer.quizzes.models import AttemptAnswer, Question


def _signed_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_maximal_import_leaves_logins_pages_and_autosave_working(app, make_user, make_quiz):
    quiz = make_quiz(count=1, bank_size=1)
    trainer = make_user("trainer")
    agents = [make_user("agent") for _ in range(3)]
    attempt = service.start_attempt(quiz, agents[0])
    db.session.commit()
    save_url = f"/quizzes/attempts/{attempt.id}/answers"
    fields = right_fields(attempt.answers[0])
    emails, trainer_email = [a.email for a in agents], trainer.email
    gift = "\n\n".join(
        f"::load{i}:: 第 {i} 题：收到破损包裹应先请顾客拍照吗？ {{T}}" for i in range(MAX_QUESTIONS)
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    statuses: list[tuple[str, int]] = []
    importing = threading.Event()

    def import_maximal():
        client = _signed_in(base, trainer_email)
        importing.set()
        response = client.post(
            "/quizzes/bank/import",
            files={"file": ("max.gift", gift.encode(), "text/plain")},
            data={"category": "load/test"},
        )
        statuses.append(("import", response.status_code))

    def others():
        importing.wait(10)
        saver = _signed_in(base, emails[0])
        for round_ in range(4):
            for email in emails[1:]:
                client = httpx.Client(base_url=base, timeout=60)
                login = client.post("/login", data={"email": email, "password": PASSWORD})
                statuses.append(("login", login.status_code))
                statuses.append(("home", client.get("/").status_code))
            saved = saver.post(save_url, json={"slot": 0, "fields": fields})
            statuses.append(("autosave", saved.status_code))

    workers = [threading.Thread(target=import_maximal), threading.Thread(target=others)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert not any(worker.is_alive() for worker in workers)
    others_ = [(what, code) for what, code in statuses if what != "import"]
    assert len(others_) == 4 * (2 * 2 + 1)
    assert all(code in (200, 302) for _, code in others_), others_
    assert ("import", 200) in statuses or ("import", 302) in statuses
    db.session.expire_all()
    imported = db.session.scalar(
        db.select(db.func.count(Question.id)).where(Question.category == "load/test")
    )
    assert imported == MAX_QUESTIONS
    saved = db.session.scalar(db.select(AttemptAnswer).filter_by(attempt_id=attempt.id, slot=0))
    assert saved.response is not None
