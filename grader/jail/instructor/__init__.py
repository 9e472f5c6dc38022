"""The release scan's side in the jail (grader/instructor/scan.py): its driver and loader,
copied next to a copy of the release. The instructor's tool, kept back from the release as
every package named `instructor` is.
"""
