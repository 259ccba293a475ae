"""HTTP views, one blueprint per audience: taking quizzes, the bank, quiz setup, analytics."""
