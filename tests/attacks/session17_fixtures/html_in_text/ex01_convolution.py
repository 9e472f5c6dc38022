"""Learner text that would be markup if the notebook's HTML did not escape it."""
SCRIPT = "<script>alert('owned')</script><img src=x onerror=alert(1)>&lt;b&gt;"


def filter_response(patch, kernel):
    print(SCRIPT)
    return SCRIPT


def convolve2d(image, kernel):
    raise ValueError(SCRIPT)
