"""Job processes forked by the diskcache backend: a job that ran joblib in parallel leaves nothing behind,
and the first fork (which imports what jobs use) disturbs no lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# As the app does it: the web process used joblib (the demo models), then Dash's manager forks job processes.
SCRIPT = textwrap.dedent(
    """
    import math, sys
    sys.path.insert(0, {root!r})
    from dashboard.jobs import forksafe

    forksafe.install()

    def job():
        from joblib import Parallel, delayed
        print("job", sum(Parallel(n_jobs=2)(delayed(math.sqrt)(i) for i in range(100))), flush=True)

    if __name__ == "__main__":
        from joblib import Parallel, delayed
        from multiprocess import Process

        Parallel(n_jobs=2)(delayed(math.sqrt)(i) for i in range(10))
        for _ in range(2):
            process = Process(target=forksafe.releasing_worker_pool(job))
            process.start()
            process.join()
            assert process.exitcode == 0
        print("done", flush=True)
    """
)


def test_the_apps_job_processes_release_their_worker_pool(tmp_path):
    import diskcache

    from dashboard.app_factory import _JobProcesses

    made = _JobProcesses(diskcache.Cache(tmp_path / "jobs")).make_job_fn(lambda: None, False)
    assert made.__wrapped__.__module__.startswith("dash.")  # Dash's job function, wrapped


def test_a_job_process_releases_its_worker_pool_and_the_first_fork_disturbs_no_lock(tmp_path):
    script = tmp_path / "jobs.py"
    script.write_text(SCRIPT.format(root=str(ROOT)))
    finished = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("job 661.46") == 2 and "done" in finished.stdout
    assert "leaked" not in finished.stderr and "release unlocked lock" not in finished.stderr, finished.stderr
