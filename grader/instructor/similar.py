"""`grade similar`: the pairs of learners whose code for one exercise is more alike than chance.

The class folder is the one `grade batch` reads, found and unpacked by the same intake
(grader/instructor/intake.py: one learner per sub-folder or .zip, the files at any depth, zips
with limits, no link followed). Learner code is only ever read as text, never run or imported,
and a file over `MAX_SOURCE_BYTES`, not UTF-8 text, a link or a hard link is reported, not
compared. Fingerprinting is copydetect's (MOSS's winnowing on tokenised code): names become
one letter, comments and whitespace vanish, and k-grams of the rest are hashed, so renamed
variables, reordered functions and edited comments leave the shared code visible; every k-gram
the course's stub holds (English or Korean) is boilerplate and never counts. A pair is flagged
when the larger of its two shares (copied tokens over the learner's own tokens) reaches
`THRESHOLD` and the shared code spans at least `MIN_SHARED` tokens, both set by
benchmarks/similarity.py (README "Grading a class, end to end").
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.course.catalogue import Catalogue, Exercise
from grader.errors import InputError
from grader.i18n import _
from grader.instructor.intake import Learner, UploadProblem, find_learners, open_upload
from grader.submission import Submission

if TYPE_CHECKING:
    from copydetect import CodeFingerprint

MAX_SOURCE_BYTES = 256 << 10  # one exercise file: the course's longest solution is under 12 KB
NOISE_TOKENS = (
    25  # k: the shortest run of tokenised code that counts as shared (copydetect's default)
)
WINDOW = 1  # winnowing window: 1 keeps every k-gram (exercise files are small)
# The larger share of copied tokens that flags a pair: measured, independent solutions reach
# 0.52 and disguised copies no less than 0.88 (benchmarks/similarity.py).
THRESHOLD = 0.7
MIN_SHARED = 60  # tokens the two files share at least: a few common idioms are not a copy


@dataclass
class Source:
    """One learner's file for one exercise, as text, with its fingerprint."""

    learner: str
    text: str
    fingerprint: CodeFingerprint


@dataclass(frozen=True)
class Pair:
    """Two learners' files for one exercise, compared: each one's share of copied tokens, and the
    copied regions of each (character slices into its text: 2 x N starts and ends)."""

    learner_a: str
    learner_b: str
    item: str
    share_a: float
    share_b: float
    shared_tokens: int
    slices_a: Any = field(repr=False, compare=False)
    slices_b: Any = field(repr=False, compare=False)

    @property
    def similarity(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class Comparison:
    """What `compare_class` found: the sources, every pair compared, and what was not read."""

    sources: dict[str, dict[str, Source]]  # item -> learner -> source
    pairs: list[Pair]
    unread: dict[str, str]  # "learner" or "learner: ex03" -> why it was not compared
    threshold: float = THRESHOLD
    min_shared: int = MIN_SHARED

    @property
    def flagged(self) -> list[Pair]:
        return sorted(
            (pair for pair in self.pairs if is_flagged(pair, self.threshold, self.min_shared)),
            key=lambda pair: (-pair.similarity, pair.item, pair.learner_a, pair.learner_b),
        )

    def text(self, item: str, learner: str) -> str:
        return self.sources[item][learner].text


def is_flagged(pair: Pair, threshold: float = THRESHOLD, min_shared: int = MIN_SHARED) -> bool:
    return pair.similarity >= threshold and pair.shared_tokens >= min_shared


def copydetect_module() -> Any:
    """copydetect, or `InputError` saying how to install it (the `similar` extra)."""
    try:
        import copydetect
    except ImportError:
        raise InputError(
            _(
                "grade similar needs copydetect: pip install copydetect "
                '(or pip install -e ".[similar]" in the course repository)'
            )
        ) from None
    return copydetect


def boilerplate(stub: str, exercise: Exercise) -> Any:
    """Every k-gram hash of the exercise's `stub` and of its Korean (where the course has one)."""
    import numpy as np

    from grader.course.instructions import korean_stub

    copydetect = copydetect_module()
    texts = [stub]
    try:
        texts.append(korean_stub(stub, exercise))
    except InputError:  # a course without (current) Korean instructions: the English stub alone
        pass
    hashes = [
        hash_value
        for text in texts
        for hash_value in copydetect.CodeFingerprint(
            exercise.file, NOISE_TOKENS, 1, fp=io.StringIO(text)
        ).hashes
    ]
    return np.unique(np.array(hashes))


def fingerprint(name: str, text: str, stub_hashes: Any) -> CodeFingerprint:
    copydetect = copydetect_module()
    return copydetect.CodeFingerprint(
        name, NOISE_TOKENS, WINDOW, boilerplate=stub_hashes, fp=io.StringIO(text)
    )


def read_sources(learner: Learner, catalogue: Catalogue, unread: dict[str, str]) -> dict[str, str]:
    """exercise id -> the learner's text for it, read from the upload as batch reads it (a zip
    unpacked in a scratch folder with its limits); what cannot be read goes to `unread`."""
    texts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cnn-similar-") as scratch:
        unpacked = Path(scratch) / "upload"
        try:
            packed = open_upload(learner, unpacked, catalogue)
        except UploadProblem as upload_problem:
            unread[learner.name] = str(upload_problem)
            return texts
        submission = Submission.open(unpacked if learner.path.is_file() else learner.path)
        entries = {path: (kind, content) for path, kind, content in packed.entries}
        for exercise in catalogue.exercises:
            found = entries.get(str(submission.exercise_path(exercise.file)))
            if found is None:
                continue
            why_not, text = _as_text(*found)
            if why_not:
                unread[f"{learner.name}: {exercise.id}"] = why_not
            else:
                texts[exercise.id] = text
    return texts


def _as_text(kind: str, content: bytes) -> tuple[str, str]:
    """(why not, "") for what cannot be compared, else ("", the text)."""
    if kind == "link":
        return _("a symbolic link (never followed)"), ""
    if kind == "hardlink":
        return _("a file with more than one name (a hard link)"), ""
    if kind != "file":
        return _("not a file"), ""
    if len(content) > MAX_SOURCE_BYTES:
        return _("over {size} KB, not read").format(size=MAX_SOURCE_BYTES >> 10), ""
    if b"\x00" in content:
        return _("a binary file, not Python text"), ""
    try:
        return "", content.decode("utf-8")
    except UnicodeDecodeError:
        return _("not UTF-8 text"), ""


def compare_class(
    folder: Path,
    catalogue: Catalogue,
    *,
    out_dir: Path | None = None,
    threshold: float = THRESHOLD,
    min_shared: int = MIN_SHARED,
) -> Comparison:
    """Every pair of learners in `folder`, compared exercise by exercise."""
    from grader.instructor.source import course_stubs

    copydetect = copydetect_module()
    stubs = course_stubs(catalogue)
    unread: dict[str, str] = {}
    texts = {
        learner.name: read_sources(learner, catalogue, unread)
        for learner in find_learners(folder, out_dir)
    }
    sources: dict[str, dict[str, Source]] = {}
    pairs: list[Pair] = []
    for exercise in catalogue.exercises:
        stub_hashes = boilerplate(stubs[f"exercises/{exercise.file}"], exercise)
        item = sources.setdefault(exercise.id, {})
        for name, files in texts.items():
            if exercise.id in files:
                text = files[exercise.id]
                item[name] = Source(name, text, fingerprint(exercise.file, text, stub_hashes))
        for a, b in combinations(sorted(item), 2):
            shared, (share_a, share_b), (slices_a, slices_b) = copydetect.compare_files(
                item[a].fingerprint, item[b].fingerprint
            )
            if shared:
                pairs.append(
                    Pair(
                        a,
                        b,
                        exercise.id,
                        float(share_a),
                        float(share_b),
                        int(shared),
                        slices_a,
                        slices_b,
                    )
                )
    return Comparison(sources, pairs, unread, threshold, min_shared)
