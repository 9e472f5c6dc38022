"""The trust boundary: the jail's trusted launcher, which starts every worker. The run's isolation is
decided by a probe, workers are launched into a jail built by allowlist, their word is
checked, and what they send back is only ever data. `grader/jail/` holds the files that run
inside the jail and import nothing of the grader.
"""
