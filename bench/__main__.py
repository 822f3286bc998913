"""Run benchmark suites: ``python -m bench`` (all) or ``python -m bench foundation``."""

import sys

from bench import (
    bombs,
    browser,
    clusters,
    diagnostics,
    firstvisit,
    foundation,
    insights,
    monitoring,
    realdata,
    recommend,
    reports,
    runs,
    scaleout,
    serving,
    train,
)

SUITES = {
    "foundation": foundation.run,
    "wide": foundation.wide,
    "browser": browser.run,
    "firstvisit": firstvisit.run,
    "serving": serving.run,
    "train": train.run,
    "clusters": clusters.run,
    "recommend": recommend.run,
    "scaleout": scaleout.run,
    "bombs": bombs.run,
    "insights": insights.run,
    "diagnostics": diagnostics.run,
    "reports": reports.run,
    "runs": runs.run,
    "monitoring": monitoring.run,
    "realdata": realdata.run,
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(SUITES)
    for name in chosen:
        if name not in SUITES:
            sys.exit(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        SUITES[name]()
