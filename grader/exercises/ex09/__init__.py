"""ex09: its catalogue entry (exercise.yaml), Korean instructions and public suite."""
