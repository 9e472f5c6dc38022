"""The first thing a worker does inside its new namespaces: build a jail, then give up power.

`unshare` starts the worker in new mount, PID, network and IPC namespaces (and a user
namespace when the grader is not root). Before any learner code runs, `enter` mounts a tmpfs as
the new root and follows the trusted side's steps (grader/sandbox/allowlist.py): bind an
allowed file or tree at the same path (read-only, nosuid), lay an empty folder over a part of
a tree that must stay out of sight, or make a symbolic link the loader follows. It gives the
worker private /tmp, /var/tmp and /dev/shm, pivots into that root and detaches the old one. `drop_privileges` then becomes an
unprivileged uid (when the grader is root) or sheds every capability (in a user namespace).

Like worker.py, this file is standard library only: the sandbox copies it next to the worker.
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import signal

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
ST_FLAGS_TO_MS = {
    os.ST_RDONLY: MS_RDONLY,
    os.ST_NOSUID: MS_NOSUID,
    os.ST_NODEV: MS_NODEV,
    os.ST_NOEXEC: MS_NOEXEC,
}

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECURE_NOROOT_AND_LOCKS = 0x2F  # NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED
LINUX_CAPABILITY_VERSION_3 = 0x20080522
LAST_CAPABILITY = 63
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
OLD_ROOT = "/.old-root"
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # the jail's private, writable folders

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38
BPF_LD_ABS, BPF_JEQ, BPF_JGE, BPF_JSET, BPF_RET = 0x20, 0x15, 0x35, 0x45, 0x06
SECCOMP_DATA_NR, SECCOMP_DATA_ARCH, SECCOMP_DATA_FIRST_ARGUMENT = 0, 4, 16
CLONE_NEWUSER = 0x10000000
CLONE3 = 435  # the same number on every 64-bit Linux
X32_SYSCALL_BIT = 0x40000000
SECCOMP_MACHINES = {  # machine: (AUDIT_ARCH_*, unshare, clone)
    "x86_64": (0xC000003E, 272, 56),
    "aarch64": (0xC00000B7, 97, 220),
}
KEYCTL = {"x86_64": 250, "aarch64": 219}  # the keyctl system call
KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = 7, -4, -5
DEFAULT_TMP_FILES = 16384  # files and folders in each scratch folder
SYSTEM_V_LIMITS = ("/proc/sys/kernel/shmall", "/proc/sys/kernel/shmmax", "/proc/sys/kernel/msgmni")

_libc = ctypes.CDLL(None, use_errno=True)


class JailError(OSError):
    """The jail could not be built; the worker reports it and imports no learner code."""


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise JailError(number, f"{what}: {os.strerror(number)}")


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(
        _libc.mount(
            encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)
        ),
        f"mount {target}",
    )


def _bind(path: str, root: str, writable: bool = False) -> None:
    """Bind `path` at the same place under `root`: read-only and nosuid unless told otherwise."""
    target = root + path
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "wb").close()
    _mount(path, target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | _locked_flags(path)
    _mount(None, target, None, flags if writable else flags | MS_RDONLY)


def _read_only_below(
    root: str, writable: tuple[str, ...], hidden: tuple[str, ...] = ()
) -> list[str]:
    """Every mount inside `root` but the `writable` ones read-only and nosuid: a recursive bind
    copies the mounts below its source with their own flags (one look at the mount table, once
    every bind is in place, whatever the binds were). The `hidden` ones, made read-only before
    a mask covered them, may be out of reach now. Returns the mounts it looked at."""
    points = [below for below in _mounts_below(root) if below not in writable]
    for below in points:
        try:
            _mount(
                None,
                below,
                None,
                MS_REMOUNT | MS_BIND | MS_NOSUID | MS_RDONLY | _locked_flags(below),
            )
        except OSError:
            if below not in hidden:
                raise
    return points


def _locked_flags(path: str) -> int:
    """The flags of the mount at `path` that a remount must keep (nodev, noexec) or Linux refuses."""
    kept = 0
    for st_flag, ms_flag in ST_FLAGS_TO_MS.items():
        if os.statvfs(path).f_flag & st_flag:
            kept |= ms_flag
    return kept


def _mounts_below(target: str) -> list[str]:
    """The mount points strictly inside `target`, outermost first."""
    prefix = target.rstrip("/") + "/"
    with open("/proc/self/mounts") as mounts:
        points = [_unescape(line.split()[1]) for line in mounts if len(line.split()) > 1]
    return sorted(
        {point for point in points if point.startswith(prefix)}, key=lambda point: point.count("/")
    )


def _unescape(text: str) -> str:
    """A path as /proc/self/mounts writes it, with its octal escapes (\\040 for a space) undone."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), text)


def _tmpfs(target: str, size_mb: int, inodes: int, mode: str = "1777") -> None:
    """A private scratch folder. `size` bounds its data, not its files: an empty file costs
    no block but a kernel inode, so their number is bounded too."""
    os.makedirs(target, exist_ok=True)
    _mount(
        "tmpfs",
        target,
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={size_mb}m,nr_inodes={inodes},mode={mode}",
    )


def enter(config: dict) -> None:
    """Build the jail described by `config` and pivot into it. Needs CAP_SYS_ADMIN (here)."""
    root = config["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("jail", root, "tmpfs", MS_NOSUID, "size=1m,mode=0755")
    for scratch in SCRATCH:
        _tmpfs(root + scratch, config["tmp_mb"], config.get("tmp_files", DEFAULT_TMP_FILES))
    masks, hidden = [], []
    for step in config["steps"]:
        kind, path = step[0], step[1]
        if kind == "bind" and os.path.exists(path):
            _bind(path, root)
        elif kind == "mask" and os.path.isdir(root + path):
            hidden += _read_only_below(root + path, ())  # what it covers: read-only while in reach
            _mount("mask", root + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
            masks.append(root + path)
        elif kind == "link" and not os.path.lexists(root + path):
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            os.symlink(step[2], root + path)
    for mask in reversed(masks):  # read-only once the binds inside them are in place
        _mount(None, mask, None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_RDONLY)
    _read_only_below(root, tuple(root + scratch for scratch in SCRATCH), tuple(hidden))
    for device in DEVICES:
        if os.path.exists(device):
            _bind(device, root, writable=True)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _no_system_v_memory(root)
    # /proc/sys read-only: in a user namespace, the IPC settings just cut are the learner's to restore
    _mount(root + "/proc/sys", root + "/proc/sys", None, MS_BIND | MS_REC)
    _mount(
        None,
        root + "/proc/sys",
        None,
        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
    )

    os.makedirs(root + OLD_ROOT, exist_ok=True)
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise JailError(0, f"pivot_root: unknown machine {platform.machine()}")
    _check(_libc.syscall(number, root.encode(), (root + OLD_ROOT).encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(OLD_ROOT.encode(), MNT_DETACH), "umount old root")
    os.rmdir(OLD_ROOT)
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)


def _no_system_v_memory(root: str) -> None:
    """No System V shared memory or message queues in the worker's own IPC namespace: a segment
    outlives its detaching, so its memory belongs to no process and no limit sees it."""
    for setting in SYSTEM_V_LIMITS:
        try:
            with open(root + setting, "w") as stream:
                stream.write("0")
        except PermissionError:  # an older kernel keeps these root's, even in a user namespace
            continue
        except OSError as error:
            raise JailError(error.errno or 0, f"{setting}: {error.strerror}") from None


def drop_privileges(uid: int | None, gid: int | None) -> None:
    """Become `uid`/`gid` (from real root), or shed every capability (in a user namespace)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    try:  # out of the process group of `unshare` or zygote.py's launcher (in a user namespace, of
        os.setsid()  # the worker's own uid): a signal to "its group" stays inside its namespace
    except PermissionError:  # already a group's leader, started in a session of its own
        pass
    if uid is not None:
        if gid is None:
            raise ValueError("a uid to become needs a gid")
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)  # from root to another uid: every capability goes
        for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):  # they outlive their
            _libc.syscall(
                KEYCTL.get(platform.machine(), -1), KEYCTL_CLEAR, keyring
            )  # workers: empty them
    else:
        _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        for capability in range(LAST_CAPABILITY + 1):
            _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
        _check(_libc.prctl(PR_SET_SECUREBITS, SECURE_NOROOT_AND_LOCKS, 0, 0, 0), "securebits")
        header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
        data = (ctypes.c_uint32 * 6)()
        _check(_libc.capset(header, data), "capset")
    _no_new_user_namespaces()
    # Should the launcher die, so does the worker (a credential change cleared this).
    _libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _no_new_user_namespaces() -> None:
    """A seccomp filter: no clone or unshare with CLONE_NEWUSER, no clone3 (whose flags it cannot
    read; the C library then falls back to clone), no system call of another ABI.

    In a user namespace of its own, learner code would be root over new IPC and mount
    namespaces, with System V memory and tmpfs mounts that no limit of the jail bounds (and far
    more of the kernel to attack). Needs no_new_privs, which `drop_privileges` sets first.
    """
    machine = SECCOMP_MACHINES.get(platform.machine())
    if machine is None:
        raise JailError(0, f"seccomp: unknown machine {platform.machine()}")
    arch, unshare, clone = machine
    allow, refuse, absent = SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM, SECCOMP_RET_ERRNO | ENOSYS
    program = [
        (BPF_LD_ABS, 0, 0, SECCOMP_DATA_ARCH),
        (BPF_JEQ, 0, 9, arch),  # another ABI (i386, x32 through int 0x80): nothing
        (BPF_LD_ABS, 0, 0, SECCOMP_DATA_NR),
        (BPF_JGE, 7, 0, X32_SYSCALL_BIT),
        (BPF_JEQ, 6, 0, CLONE3),
        (BPF_JEQ, 1, 0, unshare),
        (BPF_JEQ, 0, 2, clone),
        (BPF_LD_ABS, 0, 0, SECCOMP_DATA_FIRST_ARGUMENT),  # the flags of clone and unshare
        (BPF_JSET, 1, 0, CLONE_NEWUSER),
        (BPF_RET, 0, 0, allow),
        (BPF_RET, 0, 0, refuse),
        (BPF_RET, 0, 0, absent),
    ]
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), filters)
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "seccomp")
