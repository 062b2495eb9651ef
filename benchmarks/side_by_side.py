"""The same work done three ways, one after the other, on one landing area (issue 18):
the plain-DuckDB floor, an analyst's pandas notebook and the project's nightly refresh from an
empty home (the scripts of the shared bench), then the project's incremental refresh after one
agency resends one dataset, and a check that the project's published indicators agree with
the floor's on every column both have.

usage: python -m benchmarks.side_by_side LANDING WORK [--bench DIR] [--json FILE] [--skip-pandas]

LANDING is a landing area written by the bench's gen_standard.py (with its registry.json).
Each step runs in its own process: wall time, peak resident memory of the largest process and
of all the step's processes together (sampled every 0.2 s). Compare the ratios of one run, not
seconds across runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.run import measured
from core.paths import PROJECT_ROOT

DEFAULT_BENCH = PROJECT_ROOT.parent / "shared" / "bench"
SHARED = ("jumlah_pegawai", "jumlah_dinilai", "cakupan_penilaian_pct", "pct_sangat_baik",
          "rata_jp", "pct_pns_memenuhi_20jp", "ikm")  # fmt: skip


def project_env(home: Path) -> dict:
    """The environment run_project.sh gives the refresh."""
    return {
        **os.environ,
        "KINERJA_PSEUDONYM_KEY": "bench-secret-key",
        "KINERJA_HOME": str(home),
        "KINERJA_REGISTRY": str(home / "agencies.yaml"),
        "KINERJA_LANDING": str(home / "landing"),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def resend(landing: Path, dataset: str = "penilaian") -> tuple[str, Path]:
    """The first agency resends one dataset: one revised file holding every row of its files
    of that dataset (one rating changed), as agencies do. Returns the agency and the new file.
    (Until the eighth session only its first file was copied: nationally an agency's dataset
    lies in 16 files, so that "revision" held 1/16 of the rows and the submission review held
    it and rebuilt without it, which is not the incremental this measures.)"""
    for folder in sorted(p for p in landing.iterdir() if (p / dataset).is_dir()):
        src = sorted((folder / dataset).glob("*.csv"))
        if src:
            header, rows = None, []
            for path in src:
                lines = path.read_text(encoding="utf-8").splitlines()
                header = header or lines[0]
                rows += lines[1:]
            text = "\n".join([header, *rows]) + "\n"
            text = text.replace("SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI", 1)
            target = folder / dataset / f"revisi_{src[0].name}"
            target.write_text(text, encoding="utf-8")
            return folder.name, target
    raise SystemExit(f"no {dataset} file in {landing}")


def _number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def agreement(published: Path, floor: Path) -> dict:
    """Rows of the floor whose shared columns the project's indikator_wilayah.csv has with the
    same value (to the published 2 decimals), and the first differences."""
    with published.open(encoding="utf-8") as f:
        ours = {(r["kode_wilayah"], r["tahun"]): r for r in csv.DictReader(f)}
    with floor.open(encoding="utf-8") as f:
        theirs = list(csv.DictReader(f))
    diffs = []
    for r in theirs:
        mine = ours.get((r["kode_wilayah"], r["tahun"]))
        if mine is None:
            diffs.append(f"{r['kode_wilayah']}/{r['tahun']}: not published")
            continue
        for c in SHARED:
            a, b = _number(mine.get(c, "")), _number(r[c])
            if (a is None) != (b is None) or (a is not None and abs(a - b) > 0.005 + 1e-9):
                diffs.append(f"{r['kode_wilayah']}/{r['tahun']} {c}: project {a}, floor {b}")
    return {"rows": len(theirs), "columns": list(SHARED), "differences": diffs[:20],
            "n_differences": len(diffs)}  # fmt: skip


def _brief(step: dict) -> dict:
    return {k: step[k] for k in ("wall_s", "peak_rss_mb", "peak_tree_rss_mb", "rc")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("landing", type=Path)
    ap.add_argument("work", type=Path)
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip-pandas", action="store_true")
    args = ap.parse_args()
    landing, work, bench = args.landing.resolve(), args.work.resolve(), args.bench.resolve()
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    py = sys.executable
    out: dict = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 "machine": f"{platform.machine()}, {os.cpu_count()} cores", "landing": str(landing),
                 "load_before": os.getloadavg()}  # fmt: skip
    steps = {
        "floor": [py, str(bench / "lower_bound.py"), str(landing), str(work / "floor.csv")],
        "pandas": [py, str(bench / "pandas_baseline.py"), str(landing), str(work / "pandas.csv")],
        "project_full": ["bash", str(bench / "run_project.sh"), str(landing), str(home)],
    }
    if args.skip_pandas:
        del steps["pandas"]
    env = {**os.environ, "PROJECT": str(PROJECT_ROOT)}
    for name, cmd in steps.items():
        out[name] = measured(cmd, env)
        print(f"{name}: {_brief(out[name])}", flush=True)
    # before the resend below changes one figure
    published = home / "published" / "latest" / "indikator_wilayah.csv"
    out["agreement"] = (
        agreement(published, work / "floor.csv") if published.exists() else "not published"
    )
    # one agency resends one dataset: from the file landing to the new publication
    agency, _ = resend(home / "landing")
    t = time.perf_counter()
    kinerja = str(PROJECT_ROOT / ".venv" / "bin" / "kinerja")
    inc = measured([kinerja, "refresh", "--agency", agency], project_env(home))
    inc["wall_s"] = round(time.perf_counter() - t, 1)
    out["project_incremental"] = {**inc, "agency": agency}
    print(f"project_incremental ({agency}): {_brief(inc)}", flush=True)
    floor = out["floor"]["wall_s"]
    out["ratios"] = {
        "full_over_floor": round(out["project_full"]["wall_s"] / floor, 2),
        "full_over_pandas": round(out["project_full"]["wall_s"] / out["pandas"]["wall_s"], 2)
        if "pandas" in out
        else None,
    }
    print(json.dumps({"ratios": out["ratios"], "agreement": out["agreement"]}, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
