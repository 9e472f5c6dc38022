"""The trusted grading suites: public/ (shipped to learners) and hidden/ (kept back), one
pytest module per exercise, with independent reference implementations beside the hidden ones.
"""
