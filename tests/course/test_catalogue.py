"""The course catalogue: the shipped one is valid; broken ones fail with errors naming the key."""

from __future__ import annotations

import pytest
import yaml

from grader.course.catalogue import (
    CATALOGUE_PATH,
    COURSE_ROOT,
    CatalogueError,
    Limits,
    load_catalogue,
    parse_catalogue,
)
from grader.errors import InputError
from grader.grading.manifest import ManifestEntry, check_manifest, collect_manifest

MINIMAL = {
    "exercises": [
        {"id": "ex01", "title": "T", "file": "ex01_t.py", "functions": ["f"], "points": 5}
    ]
}


def test_shipped_catalogue_loads(catalogue):
    assert [item.id for item in catalogue.exercises] == [f"ex0{n}" for n in range(1, 10)]
    assert sum(item.points for item in catalogue.exercises) == 135  # ex08 20, ex09 15
    assert [item.id for item in catalogue.quizzes] == [f"q0{n}" for n in range(1, 7)]
    for exercise in catalogue.exercises:
        assert exercise.hints, f"{exercise.id} has no hints"
        assert all(hint.rstrip().endswith("?") for hint in exercise.hints), "hints are questions"
        assert (catalogue.root / "exercises" / exercise.file).is_file()
        assert (catalogue.root / "solutions" / exercise.file).is_file()


def test_defaults_fill_in_limits():
    catalogue = parse_catalogue(
        {"defaults": {"limits": {"call_timeout": 2}}, **MINIMAL}, source="t"
    )
    assert catalogue.exercises[0].limits == Limits(call_timeout=2.0)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["exercises"][0].pop("file"), "missing key 'file'"),
        (lambda d: d["exercises"][0].update(id="exercise1"), "'id' must look like ex01"),
        (lambda d: d["exercises"][0].update(points=-1), "'points' must be a positive number"),
        (lambda d: d["exercises"][0].update(colour="red"), "unknown key(s) colour"),
        (
            lambda d: d["exercises"][0].update(limits={"call_timeout": "fast"}),
            "'call_timeout' must be",
        ),
        (lambda d: d["exercises"].append(dict(d["exercises"][0])), "duplicate ids: ex01"),
        (
            lambda d: d["exercises"][0].update(functions=["not a name"]),
            "'functions' must be a list",
        ),
    ],
)
def test_broken_catalogue_names_the_problem(change, message):
    data = {"exercises": [dict(MINIMAL["exercises"][0])]}
    change(data)
    with pytest.raises(CatalogueError, match="^course.yaml") as error:
        parse_catalogue(data, source="course.yaml")
    assert message in str(error.value)


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("exercises: [\n  - id: ex01\n")
    with pytest.raises(CatalogueError, match=r"bad.yaml line \d+: not valid YAML"):
        load_catalogue(bad)


def test_unknown_id_lists_the_choices(catalogue):
    with pytest.raises(Exception, match="choose from ex01, ex02"):
        catalogue.item("ex42")


def test_the_suites_grade_the_catalogue(catalogue):
    """The manifest a run derives from the suites gives each exercise its catalogue points, with
    public and hidden tests, each name once."""
    collected = collect_manifest()
    assert check_manifest(catalogue, collected) == []
    assert {entry.exercise for entry in collected} == {
        exercise.id for exercise in catalogue.exercises
    }


def test_a_manifest_that_disagrees_with_the_catalogue_is_named():
    catalogue = parse_catalogue(MINIMAL, source="t")
    public = ManifestEntry("ex01/test_public.py::test_a", "ex01", "a", 2.0, "public")
    hidden = ManifestEntry("ex01/hidden/test_hidden.py::test_b", "ex01", "a", 2.0, "hidden")
    problems = check_manifest(catalogue, [public, hidden])
    assert "ex01: its tests are worth 4 points, the catalogue gives it 5" in problems
    assert "ex01: two tests are named 'a'" in problems
    assert check_manifest(catalogue, [public]) == [
        "ex01: needs public and hidden tests, has ['public']",
        "ex01: its tests are worth 2 points, the catalogue gives it 5",
    ]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ex3", "ex03"),
        ("EX03", "ex03"),
        ("3", "ex03"),
        ("ex-3", "ex03"),
        ("Ex 07", "ex07"),
        ("q1", "q01"),
        ("Q01", "q01"),
        ("ex03", "ex03"),
    ],
)
def test_ids_are_read_forgivingly(typed, meant):
    assert load_catalogue().item(typed).id == meant


@pytest.mark.parametrize(
    ("typed", "suggested"), [("exo3", "ex03"), ("quiz1", "q01"), ("ex031", "ex03")]
)
def test_an_unknown_id_gets_a_did_you_mean(typed, suggested):
    with pytest.raises(InputError, match=f"did you mean {suggested}\\?"):
        load_catalogue().item(typed)


def test_forgiving_ids_reach_the_cli(grade):
    run = grade("ex6", "--submission", COURSE_ROOT / "solutions", "--format", "json")
    assert run.exit_code == 0 and [item["id"] for item in run.json()["exercises"]] == ["ex06"]
    wrong = grade("exo6")
    assert wrong.exit_code == 2 and "did you mean ex06?" in wrong.stderr


def test_each_exercise_is_a_folder_found_in_id_order(tmp_path):
    """An exercise is a folder, exNN/exercise.yaml, found by the catalogue; a folder without
    its file, or an `id` that could disagree with the folder, is an error naming the file."""
    from grader.course.catalogue import CATALOGUE_PATH

    for name, points in (("ex02", 3), ("ex01", 5)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "exercise.yaml").write_text(
            f"title: T\nfile: {name}_t.py\nfunctions: [f]\npoints: {points}\n", encoding="utf-8"
        )
    (tmp_path / "hidden").mkdir()  # the shared hidden package: not an exercise
    found = load_catalogue(CATALOGUE_PATH, exercises_dir=tmp_path).exercises
    assert [(item.id, item.points) for item in found] == [("ex01", 5.0), ("ex02", 3.0)]
    (tmp_path / "ex02" / "exercise.yaml").write_text("id: ex07\ntitle: T\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"ex02/exercise.yaml: 'id' is the folder's name"):
        load_catalogue(CATALOGUE_PATH, exercises_dir=tmp_path)
    (tmp_path / "ex02" / "exercise.yaml").unlink()
    with pytest.raises(CatalogueError, match="ex02: an exercise folder needs its exercise.yaml"):
        load_catalogue(CATALOGUE_PATH, exercises_dir=tmp_path)


def test_the_recommended_order_rises_in_difficulty_with_the_advanced_items_last(catalogue):
    ordered = [item.id for item in catalogue.in_order]
    assert sorted(ordered) == sorted(catalogue.ids)  # every item, once
    assert ordered.index("ex09") < ordered.index("ex08")  # counting before the backward pass
    advanced = {item.id for item in catalogue.items if item.advanced}
    assert advanced == {"ex08", "ex09", "q05"}
    assert set(ordered[-len(advanced) :]) == advanced
    assert ordered[0] == "ex01"


def test_next_item_skips_what_is_done_and_looks_after_the_current_one_first(catalogue):
    ordered = [item.id for item in catalogue.in_order]
    assert catalogue.next_item(set()).id == ordered[0]
    assert catalogue.next_item({ordered[0], ordered[1]}).id == ordered[2]
    # after ex03, with ex04 done and ex01 not: ex05 comes first, ex01 only once the rest are done
    assert catalogue.next_item({"ex04"}, after="ex03").id == "ex05"
    assert catalogue.next_item(set(ordered) - {"ex01", "ex03"}, after="ex03").id == "ex01"
    assert catalogue.next_item(set(ordered) - {"ex03"}, after="ex03") is None


@pytest.mark.parametrize(
    "order, message",
    [
        ("ex01", "'order' must be a list"),
        (["ex01", "ex01"], "more than once: ex01"),
        (["exercise one"], "not an id like ex01"),
        ([3], "'order' must be a list"),
    ],
)
def test_a_broken_order_is_one_line_naming_the_catalogue(tmp_path, order, message):
    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["order"] = order
    path = tmp_path / "course.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_advanced_must_be_true_or_false(tmp_path):
    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["quizzes"][0]["advanced"] = "yes"
    path = tmp_path / "course.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="'advanced' must be true or false"):
        load_catalogue(path)
