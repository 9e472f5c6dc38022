"""The probe: the run's isolation is decided by starting the sandbox with no learner code in it.

`IsolationProbe` starts a worker in probe mode as soon as it is created (its start-up overlaps
the grader's own), and `get` reads its one frame: the worker's description of the sandbox it
built, checked here against what the mode promises. No learner file is in the probe's folder,
so nothing a learner writes can make the probe fail or pass. A failed probe means "limits", as
far as `isolation.weak` allows.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from grader.course.catalogue import Limits
from grader.i18n import N_, _
from grader.jail import wire
from grader.sandbox import isolation as modes
from grader.sandbox.feedback import tail
from grader.sandbox.isolation import Isolation
from grader.sandbox.launch import make_scratch, prepare_probe
from grader.sandbox.process import Dead, Deadline, WorkerProcess
from grader.sanitise import clean

PROBE_SECONDS = 20.0  # starting Python in a fresh jail takes well under a second
NO_NAMESPACES = N_("Linux namespaces (unshare) are not available here")
log = logging.getLogger(__name__)


_probed_early: Isolation | None = None  # set in a warm server only (`probe_early`)


def probe_early() -> None:
    """Probe now, once, for every grading run that a warm server (grader/processes/warm.py) forks:
    the server runs no learner code, so this is still the trusted side deciding before any
    learner code runs. A probe that fails leaves "limits", which each run then accepts only as
    its own `--allow-weak-sandbox` allows, exactly as its own probe would have."""
    global _probed_early
    probe = IsolationProbe(allow_weak=True)
    try:
        _probed_early = probe.get()
    except modes.WeakSandboxRefused as refused:  # root, and Python unreachable for other users
        _probed_early = Isolation(modes.LIMITS, str(refused))


class IsolationProbe:
    """Decides a run's isolation once; `get()` waits for the probe the first time."""

    def __init__(self, *, allow_weak: bool = False, self_check: bool = False):
        """`self_check`: a learner grades their own code (`grade exNN`, `watch`, `%grade`), so
        where no sandbox can be built the portable worker runs it instead of a refusal."""
        self.allow_weak = allow_weak
        self.self_check = self_check
        self.mode = (
            modes.PORTABLE if self_check and modes.portable_forced() else modes.strongest_mode()
        )
        self.decided: Isolation | None = None
        self.scratch: Path | None = None
        self.process: WorkerProcess | None = None
        self.early_note = ""
        if _probed_early is not None:  # a batch worker's warm server probed before any learner
            self.mode, self.early_note = _probed_early.mode, _probed_early.note
            if _probed_early.namespaces:
                self.decided = _probed_early
                log.info("isolation: %s, decided by the warm server's probe", self.decided.mode)
            return
        log.debug("isolation: probing the strongest mode this machine claims, %s", self.mode)
        if self.mode not in (modes.LIMITS, modes.PORTABLE):  # no sandbox to look at
            self.scratch = make_scratch("grade-probe-")
            try:
                self.spec = prepare_probe(self.scratch, Limits())
                self.process = WorkerProcess(self.spec, Isolation(self.mode))
            except OSError as error:
                self.failure = f"the probe could not start ({error.strerror or error})"

    def get(self) -> Isolation:
        """The run's isolation (`WeakSandboxRefused` when only "limits" is left and not allowed)."""
        if self.decided is None:
            try:
                self.decided = self._decide()
            except modes.WeakSandboxRefused as refused:
                log.info("isolation: none allowed (%s)", refused.message)
                raise
            finally:
                self.close()
            log.info(
                "isolation: %s (%s)",
                self.decided.mode,
                self.decided.note or "the probe's sandbox passed every check of its mode",
            )
        return self.decided

    def presumed(self) -> Isolation:
        """The isolation decided, or until then the mode being probed: workers may start under
        it before the decision, but none loads learner code before the trusted side, having
        decided, has checked the worker's sandbox (grader/sandbox/client.py)."""
        if self.decided is not None:
            return self.decided
        if (
            self.mode == modes.LIMITS
            and self.self_check
            and modes.self_check_allowed(self.allow_weak)
        ):
            return Isolation(modes.PORTABLE)  # what a machine without namespaces will decide
        return Isolation(self.mode)

    def close(self) -> None:
        """Stop the probe and remove its folder (a run that ends before `get` still cleans up)."""
        if self.process is not None:
            self.process.kill()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> IsolationProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _decide(self) -> Isolation:
        if self.mode == modes.PORTABLE:
            return modes.self_check(
                _("asked for with {variable}=1").format(variable=modes.PORTABLE_VARIABLE)
            )
        if self.mode == modes.LIMITS:
            return self._weakest(self.early_note or _(NO_NAMESPACES))
        problem = self._problem()
        if not problem:
            return Isolation(self.mode)
        return self._weakest(_("the sandbox probe failed: {problem}").format(problem=problem))

    def _weakest(self, note: str) -> Isolation:
        """Without namespaces: a learner's self-check where that is allowed, else "limits" as
        far as `isolation.weak` allows (docs/design.md#portable-self-check)."""
        if self.self_check and modes.self_check_allowed(self.allow_weak):
            return modes.self_check(note)
        return modes.weak(note, allow_weak=self.allow_weak)

    def _problem(self) -> str:
        if self.process is None:
            return getattr(self, "failure", _("the probe did not start"))
        try:
            frame, _blobs = self.process.read_frame(time.monotonic() + PROBE_SECONDS, "probe")
        except Deadline:
            return _("no answer within {seconds:g} s").format(seconds=PROBE_SECONDS)
        except (Dead, wire.ProtocolError, ValueError, OSError):
            self.process.kill()
            printed = tail(self.spec.stderr_path, 300).strip()
            return _("the probe stopped ({printed})").format(
                printed=printed or _("it printed nothing")
            )
        if "sandbox_error" in frame:
            return _("the jail could not be built ({reason})").format(
                reason=clean(frame["sandbox_error"], 200, single_line=True)
            )
        return Isolation(self.mode).view_problem(frame.get("sandbox"), self.spec.uid)
