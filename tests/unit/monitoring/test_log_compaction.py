"""Compaction of the prediction log: a full read merges a crowded folder's partitions into one file, and at
every moment, with other processes writing, merging and reading, each logged row and label is read once."""

from __future__ import annotations

import shutil
import threading

import pandas as pd
import pytest

from dashboard.monitoring import PredictionLog
from dashboard.monitoring.compaction import COMPACT_AT, MARK, compact, published

FIELDS = ["Age", "Sex"]
DAY = "2026-12-01"


def answer(i: int) -> dict:
    return {"model": "m", "version": 1, "predictions": [i % 2], "probabilities": [{"0": 0.25, "1": 0.75}]}


def write(log: PredictionLog, start: int, count: int) -> None:
    """``count`` one-row partitions, each a request of its own; every tenth sends Age as text."""
    for i in range(start, start + count):
        age = str(20 + i) if i % 10 == 0 else 20 + i
        log.record(answer(i), [{"Age": age, "Sex": "male" if i % 2 else "female"}], door="rest", request_id=f"r{i}")
        log.flush()


def folder(log: PredictionLog):
    (day,) = list((log.root / "m" / "v1").iterdir())
    return day


def test_a_crowded_folder_is_merged_into_one_file_that_reads_the_same(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    write(log, 0, COMPACT_AT + 6)
    day = folder(log)
    before = pd.concat([pd.read_parquet(p) for p in published(day.glob("*.parquet"))]).sort_values("request_id")
    table = log.table("m", 1, FIELDS)  # the read that merges
    files = list(day.glob("*.parquet"))
    assert len(files) == 1 and MARK in files[0].name
    merged = pd.read_parquet(files[0]).sort_values("request_id")
    assert merged["request_id"].tolist() == before["request_id"].tolist()
    assert merged["input:Age"].astype(str).tolist() == before["input:Age"].astype(str).tolist()  # text kept
    assert merged["probability_1"].tolist() == [0.75] * len(before)
    assert sorted(table["request_id"]) == sorted(before["request_id"]) and len(table) == COMPACT_AT + 6
    newest = log.rows("m", 1, limit=3)["request_id"].tolist()
    assert newest == [f"r{COMPACT_AT + 5}", f"r{COMPACT_AT + 4}", f"r{COMPACT_AT + 3}"]
    write(log, COMPACT_AT + 6, 2)  # written after: kept beside the merged file, read with it
    assert len(log.table("m", 1, FIELDS)) == COMPACT_AT + 8 and len(list(day.glob("*.parquet"))) == 3


def test_the_newest_rows_of_a_merged_file_are_read_from_its_last_row_groups(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from dashboard.monitoring import compaction

    monkeypatch.setattr(compaction, "ROW_GROUP_ROWS", 8)
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    write(log, 0, COMPACT_AT)
    log.table("m", 1, FIELDS)
    (merged,) = list(folder(log).glob("*.parquet"))
    assert pq.ParquetFile(merged).num_row_groups == COMPACT_AT // 8
    assert len(compaction.tail(merged, 3)) == 8  # one row group, not the whole file
    newest = [f"r{i}" for i in range(COMPACT_AT - 1, COMPACT_AT - 11, -1)]
    assert log.rows("m", 1, limit=10)["request_id"].tolist() == newest


def test_a_folder_below_the_threshold_and_legacy_partitions_are_left_alone(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    write(log, 0, COMPACT_AT - 1)
    day = folder(log)
    legacy = pd.DataFrame(
        {
            "time": [f"{DAY}T00:00:00.000"],
            "request_id": ["old"],
            "door": ["rest"],
            "row": [0],
            "version": [1],
            "inputs": ['{"Age": 50, "Sex": "male"}'],
            "prediction": ["1"],
            "output": ['{"probabilities": {"0": 0.1, "1": 0.9}}'],
        }
    )
    legacy.to_parquet(day / "1-0-legacy.parquet")  # one more file: the folder reaches the threshold
    assert compact(day, log.locks("t")) == 0  # the legacy file is not merged: too few left
    assert len(list(day.glob("*.parquet"))) == COMPACT_AT
    write(log, COMPACT_AT - 1, 1)
    table = log.table("m", 1, FIELDS)
    assert len(table) == COMPACT_AT + 1 and "old" in set(table["request_id"])
    assert (day / "1-0-legacy.parquet").exists() and len(list(day.glob("*.parquet"))) == 2


def test_sources_still_present_beside_their_merged_file_are_not_read_twice(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    write(log, 0, COMPACT_AT)
    day = folder(log)
    saved = tmp_path / "saved"
    shutil.copytree(day, saved)
    compact(day, log.locks("t"))
    for path in saved.glob("*.parquet"):  # the moment after the merged file is published, before deletion
        shutil.copy(path, day / path.name)
    assert len(list(day.glob("*.parquet"))) == COMPACT_AT + 1
    assert len(log.table("m", 1, FIELDS)) == COMPACT_AT
    assert len(log.rows("m", 1, limit=10_000)) == COMPACT_AT


def test_a_reader_whose_files_are_merged_under_it_lists_again(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    other = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)  # another process
    write(log, 0, COMPACT_AT - 1)
    calls = []

    def read(path):
        if not calls:  # after this reader listed the folder: one more write, and the other process merges
            write(other, COMPACT_AT - 1, 1)
            assert compact(folder(other), other.locks("t")) == COMPACT_AT
        calls.append(path)
        return pd.read_parquet(path, columns=["request_id"])

    frames = log._read_all("m", "v1/*/*.parquet", read)
    ids = pd.concat(frames)["request_id"]
    assert len(ids) == COMPACT_AT and ids.is_unique


def test_processes_merging_and_reading_at_once_each_read_every_row_once(tmp_path):
    write(PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9), 0, 3 * COMPACT_AT)
    logs = [PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9) for _ in range(4)]
    results, errors = [], []

    def read(log):
        try:
            results.append(log.table("m", 1, FIELDS)["request_id"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(log,)) for log in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(len(ids) == 3 * COMPACT_AT and ids.is_unique for ids in results)
    assert len(list(folder(logs[0]).glob("*.parquet"))) == 1


def test_labels_are_merged_too_and_the_latest_still_wins(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=10**9, flush_seconds=10**9)
    write(log, 0, 1)
    for i in range(COMPACT_AT):
        log.add_feedback("m", [{"request_id": "r0", "label": i}])
    labels = log.feedback("m")
    assert len(labels) == COMPACT_AT and len(list((tmp_path / "m" / "feedback").glob("*.parquet"))) == 1
    joined = log.labelled("m", 1, FIELDS)
    assert joined["label"].tolist() == [str(COMPACT_AT - 1)]


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    """Every record in one day's folder whatever the clock says, each a millisecond after the last."""
    import itertools

    import dashboard.monitoring.log as log_module

    ticks = itertools.count()

    class Day:
        @staticmethod
        def now(tz=None):
            return (pd.Timestamp(f"{DAY}T12:00:00", tz="UTC") + pd.Timedelta(milliseconds=next(ticks))).to_pydatetime()

    monkeypatch.setattr(log_module, "datetime", Day)
