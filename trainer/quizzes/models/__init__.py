"""Quiz models: the question bank, quizzes, and attempts."""

from trainer.quizzes.models.attempt import AttemptAnswer, QuizAttempt
from trainer.quizzes.models.question import Question, QuestionTag, QuestionVersion
from trainer.quizzes.models.quiz import Quiz

__all__ = ["AttemptAnswer", "Question", "QuestionTag", "QuestionVersion", "Quiz", "QuizAttempt"]
