"""Time each step after dbt on a built home (a `kinerja refresh` that reached dbt), in one
process, without Dagster: the submission review's gate run, the publication gate, and the
publication (analysts' DuckDB file, indicator files, Parquet, findings workbooks, report,
manifest, release scan), then the run summary.

    .venv/bin/python -m benchmarks.publication_steps HOME [--runs N] [--keep]

HOME is copied to a temporary folder first (the built home is never written). With
--runs 2 the publication runs twice: the second run is the nothing-changed case (what an
incremental refresh sees for every agency but the one that resent). Prints one line per step
and part, in seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

TIMES: dict[str, float] = defaultdict(float)


@contextlib.contextmanager
def timed(label: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        TIMES[label] += time.perf_counter() - t


def wrap(module, name: str, label: str) -> None:
    """Accumulate the time of module.name under `label`."""
    fn = getattr(module, name)

    def timed_fn(*a, **kw):
        with timed(label):
            return fn(*a, **kw)

    setattr(module, name, timed_fn)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("home", type=Path)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    ap.add_argument("--skip-gates", action="store_true")
    ap.add_argument(
        "--change",
        action="append",
        default=[],
        help="SQL run on the working warehouse before each publication after the first "
        "(e.g. what one agency's resent dataset changes in the marts)",
    )
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="pubbench_", dir=args.home.parent))
    home = tmp / "home"
    with timed("copy home (not a step)"):
        shutil.copytree(args.home, home, symlinks=True, ignore=shutil.ignore_patterns("landing"))
    os.environ["KINERJA_HOME"] = str(home)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        return _run(home, args)
    finally:
        _report()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(home: Path, args) -> int:
    with timed("import publication"):
        import publication.files as files
        import publication.release as release
        import publication.scan as scan
    warehouse = home / "warehouse" / "kerja.duckdb"
    published = home / "published"
    for mod, name in [
        (files, "write_indicator_workbook"),
        (files, "_write_findings_workbooks"),
        (files, "build_report"),
        (files, "_link_unchanged"),
        (release, "build_release"),
        (release, "sha256_file"),
        (scan, "_scan_xlsx"),
        (scan, "_scan_tables"),
    ]:
        wrap(mod, name, f"publication: {name}")
    if not args.skip_gates:
        with timed("import gates (GX)"):
            from expectations.config import load_gate_config
            from expectations.gates import marts_gate
            from expectations.runner import GateContext
        from core.duck import connect_writer

        gx = GateContext(home / "gx", run_name="bench")
        for label in ("review: marts_gate", "gate: marts_gate"):
            with timed(label), connect_writer(warehouse, "4GB") as con:
                marts_gate(con, None, load_gate_config(), gx)
        with timed("gate: GX build_docs"):
            gx.build_docs()
    for i in range(args.runs):
        if i and args.change:
            import duckdb

            with duckdb.connect(str(warehouse)) as con:
                for sql in args.change:
                    con.execute(sql)
        previous = release.latest_release(published)
        with timed(f"run {i + 1} publication: roster names"):
            names = scan.RosterNames.from_warehouse(warehouse)
        with timed(f"run {i + 1} publication total"):
            out = release.publish(
                warehouse,
                published,
                f"b{i:03d}run-bench",
                memory_limit="4GB",
                extra=lambda folder, stamp, previous=previous: files.write_publication_files(
                    warehouse, folder, stamp, previous, workers=1
                ),
                check=lambda folder, names=names, previous=previous: _check(
                    scan, folder, names, previous
                ),
            )
        print(f"run {i + 1}: {out}", file=sys.stderr)
        for k in [k for k in TIMES if k.startswith("publication: ")]:
            TIMES[f"run {i + 1} {k}"] = TIMES.pop(k)
    return 0


def _check(scan, folder, names, previous):
    """The release scan, as the publication runs it; its hits are printed, not raised (a
    generated roster's names, "Pegawai 123", are in every report)."""
    with timed("publication: scan total"):
        try:
            scan.assert_no_personal_data(folder, names, previous)
        except scan.PersonalDataInRelease as e:
            print(f"scan hits (not blocking here): {e.hits[:5]}", file=sys.stderr)
            record = {"digest": names.digest(), "tabel": scan.table_fingerprints(folder)}
            (folder / scan.SCANNED).write_text(json.dumps(record), encoding="utf-8")


def _report() -> None:
    for label, seconds in TIMES.items():
        print(f"{seconds:8.2f} s  {label}")


if __name__ == "__main__":
    sys.exit(main())
