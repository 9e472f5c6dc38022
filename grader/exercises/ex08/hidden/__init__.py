"""ex08's kept-back part: its hidden suite and whatever holds an answer (never released)."""
