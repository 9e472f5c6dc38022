"""The course as data: the catalogue of exercises and quizzes (course.yaml), and the one YAML
loader every instructor file goes through.
"""
