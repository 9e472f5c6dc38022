"""In a batch, reach for the warm fork server and the grading process: signal every process
in sight and the whole process group, look for the server's address in every environment and
file it can see, connect to every Unix socket it can find and ask it to run the grader, and
write requests into every inherited file descriptor. The next learner of the same batch
worker must still be graded by the same server (tests/attacks/test_session17_warm.py)."""
import json
import os
import signal
import socket

REQUEST = json.dumps({"module": "grader", "token": "", "arguments": ["--help"], "cwd": "/",
                      "stdin": "/dev/null", "stdout": "/dev/null", "stderr": "/dev/null",
                      "timeout": 600}).encode() + b"\n"


def _sockets():
    for top in ("/tmp", "/run", "/var/run", "/dev/shm", os.path.expanduser("~"), "/"):
        for root, folders, files in os.walk(top):
            if root.count("/") > 4 or root.startswith(("/proc", "/sys")):
                folders[:] = []
            for name in files + folders:
                path = os.path.join(root, name)
                try:
                    if os.stat(path).st_mode & 0o170000 == 0o140000:
                        yield path
                except OSError:
                    pass


def _attack():
    seen = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            for number in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(int(pid), number)
                except OSError:
                    pass
            try:
                if b"CNN_EXERCISES_WARM" in open(f"/proc/{pid}/environ", "rb").read():
                    seen.append(pid)
            except OSError:
                pass
    for target in (os.getppid(), -1):
        try:
            os.kill(target, signal.SIGSTOP)
        except OSError:
            pass
    for path in _sockets():
        for token in ("", "0" * 32):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                    connection.settimeout(1)
                    connection.connect(path)
                    connection.sendall(REQUEST.replace(b'"token": ""', f'"token": "{token}"'.encode()))
                    seen.append(path)
            except OSError:
                pass
    return seen


def filter_response(patch, kernel):
    raise ValueError(f"reached: {_attack()}")


def convolve2d(image, kernel):
    for fd in range(3, 64):
        try:
            os.write(fd, REQUEST)
        except OSError:
            pass
    os.killpg(0, signal.SIGKILL)
