"""The simulated customer's parts: what the agent did (acts) and what the customer needs (goal)."""
