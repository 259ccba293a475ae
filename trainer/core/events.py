"""Named signals that lower features send and higher ones subscribe to (blinker, as Flask).

A lower layer must not import the features above it; when something higher needs to act
"after every graded role-play" it connects to a signal here instead. Senders call
`signal.send(current_app._get_current_object(), ...)` inside their own transaction, after a
flush, so receivers may read the new rows and write in the same transaction (no commit there).
"""

from blinker import Namespace

signals = Namespace()

# kwargs: grade (RoleplayGrade, flushed), user_id
roleplay_graded = signals.signal("roleplay-graded")
# kwargs: attempt (QuizAttempt, graded and flushed), user_id
quiz_attempt_finished = signals.signal("quiz-attempt-finished")
# kwargs: attempt (QuizAttempt, still in progress), user_id, categories (frozenset: the bank
# categories of its questions). Sent by `submit_attempt` before its first write, so that the
# features above read what they need outside SQLite's write lock; a receiver may return a
# callable (no arguments), called once the attempt is finished, in the same transaction (never
# if the submit finds it finished already).
quiz_attempt_finishing = signals.signal("quiz-attempt-finishing")
# kwargs: agent_ids (the agents whose KPI days were written)
kpis_imported = signals.signal("kpis-imported")
# kwargs: user_id, lesson_id (a lesson read to the end)
lesson_completed = signals.signal("lesson-completed")
# kwargs: version (the role-play PolicyVersion just stored and flushed: the policy in force)
policy_saved = signals.signal("policy-saved")
