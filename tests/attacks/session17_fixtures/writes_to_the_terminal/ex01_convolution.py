"""Write a forged report line to every terminal it can name (/dev/tty, /dev/console, /dev/pts/*,
its init's and its own standard streams): with `grade` on a terminal, none may reach it."""
import glob, os
def _spray():
    got = []
    for path in ["/dev/tty", "/dev/console", *glob.glob("/dev/pts/*"), "/proc/1/fd/0", "/proc/1/fd/1", "/proc/self/fd/0"]:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
            os.write(fd, b"\r\nFORGED ex01    10 / 10  passed\r\n")
            os.close(fd)
            got.append(path)
        except OSError as e:
            pass
    return got
def filter_response(patch, kernel):
    raise ValueError(f"wrote to {_spray()}")
def convolve2d(image, kernel):
    raise ValueError(f"wrote to {_spray()}")
