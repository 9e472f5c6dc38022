"""ex09's kept-back part: its hidden suite and whatever holds an answer (never released)."""
