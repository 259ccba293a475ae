"""Taking a quiz costs the same number of SQL queries whatever the quiz size and history."""

from tests.quizzes.conftest import right_fields
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.models import QuizAttempt


def _counts(client, quiz, count_queries) -> dict[str, int]:
    """Queries per step of one sitting (page, start, attempt, autosaves, submit, review)."""
    counts = {}
    with count_queries() as c:
        assert client.get(f"/quizzes/{quiz.slug}").status_code == 200
    counts["page"] = c.count
    with count_queries() as c:
        response = client.post(f"/quizzes/{quiz.slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    counts["start"] = c.count
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with count_queries() as c:
        assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 200
    counts["attempt"] = c.count
    attempt = db.session.get(QuizAttempt, attempt_id)
    for answer in attempt.answers:
        body = {"slot": answer.slot, "fields": right_fields(answer)}
        with count_queries() as c:
            saved = client.post(f"/quizzes/attempts/{attempt_id}/answers", json=body)
        assert saved.status_code == 200
        counts["autosave"] = c.count
    with count_queries() as c:
        assert client.post(f"/quizzes/attempts/{attempt_id}/submit").status_code == 302
    counts["submit"] = c.count
    with count_queries() as c:
        assert client.get(f"/quizzes/attempts/{attempt_id}/review").status_code == 200
    counts["review"] = c.count
    return counts


def test_quiz_steps_queries_do_not_grow(login_as, make_quiz, count_queries):
    client, user = login_as("agent")
    client.get("/")  # warm-up: the session's first touch is not what we measure
    small_quiz = make_quiz(count=2, bank_size=2)
    large_quiz = make_quiz(count=12, bank_size=30)
    for _ in range(6):  # a long history at the large quiz
        service.submit_attempt(service.start_attempt(large_quiz, user))
        db.session.commit()
    small = _counts(client, small_quiz, count_queries)
    large = _counts(client, large_quiz, count_queries)
    assert large == small
    # start: session, quiz, attempts, draw (2), then the writes: attempt, slots, audit.
    # submit: session, lock, answer sheet (with the questions' categories), the skills map in
    # force (issue 16: does the attempt measure a skill? read before the writes), then the
    # writes: finish, check, fractions, audit.
    # review +1: the review shows the agent's next steps from their skills snapshot.
    bounds = {"page": 5, "start": 8, "attempt": 6, "autosave": 3, "submit": 8, "review": 7}
    assert all(large[step] <= bound for step, bound in bounds.items()), large
