"""Benchmark the nightly refresh at province and national sizes (not part of the tests).

usage: python -m benchmarks.run [gorontalo] [jawa_barat] [--out BENCHMARKS.md] [--work DIR]

For each size: generate the demo data (two years, ~3 trainings and ~1 survey response per
employee-year, the demo's mix of formats), then measure wall time and peak memory of
  1. the full nightly refresh from an empty warehouse (`kinerja refresh`: ingest, dbt, gates, publish)
  2. an incremental refresh after 3 agencies sent revisions
  3. the lower bound: the same reading, typing and model SQL in plain DuckDB (benchmarks.lower_bound)
Each step runs in its own process under /usr/bin/time; peak memory is the largest resident
set of any process of the step (dbt runs in a child process of the refresh).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.registry import synthetic_registry
from ingestion.demo.api_server import DemoApiServer
from ingestion.demo.generate import generate
from ingestion.registry import load_registry
from ingestion.settings import PROJECT_ROOT

SIZES = {
    "gorontalo": {
        "kode": "75",
        "employees": 32_000,
        "agencies": 12,
        "registry": PROJECT_ROOT / "config" / "agencies.yaml",
    },
    "jawa_barat": {"kode": "32", "employees": 440_000, "agencies": 60, "registry": None},
}
TOKEN = "bench-token"


def measured(cmd: list[str], env: dict) -> dict:
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(rss / 1024),
        "rc": p.returncode,
        "stdout": p.stdout[-2000:],
        "stderr": p.stderr[-3000:],
    }


def revise(landing: Path, registry, n: int = 3) -> list[str]:
    """3 agencies send a revised appraisal file for the last year (a copy with later mtime and
    one rating changed), as agencies do."""
    revised = []
    for agency in [a for a in registry.agencies if a.delivery == "file"]:
        if len(revised) == n:
            break
        folder = landing / agency.kode / "penilaian"
        src = sorted(p for p in folder.iterdir() if p.suffix == ".csv")
        if not src:
            continue
        enc = agency.file_format("penilaian").encoding
        text = src[0].read_text(encoding=enc)
        text = text.replace("SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI", 1)
        target = folder / f"revisi_{src[0].name}"
        target.write_text(text, encoding=enc)
        revised.append(agency.kode)
    return revised


def run_size(name: str, work: Path) -> dict:
    spec = SIZES[name]
    home = work / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    server_port = 18765
    reg_path = spec["registry"] or synthetic_registry(
        spec["kode"], spec["agencies"], home / "agencies.yaml", server_port
    )
    if spec["registry"]:
        text = (
            Path(spec["registry"])
            .read_text()
            .replace("http://127.0.0.1:8765", f"http://127.0.0.1:{server_port}")
        )
        reg_path = home / "agencies.yaml"
        reg_path.write_text(text.replace("KINERJA_TOKEN_KOTA_GORONTALO", "KINERJA_TOKEN_BENCH"))
    registry = load_registry(reg_path)
    t = time.perf_counter()
    summary = generate(registry, home, size=spec["employees"])
    gen_s = round(time.perf_counter() - t, 1)
    env = {**os.environ, "KINERJA_HOME": str(home), "KINERJA_REGISTRY": str(reg_path),
           "KINERJA_PSEUDONYM_KEY": "benchmark-pseudonym-key", "KINERJA_TOKEN_BENCH": TOKEN,
           "DAGSTER_HOME": str(home / "dagster_home"), "GX_ANALYTICS_ENABLED": "false",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # fmt: skip
    cli = [sys.executable, "-m", "ingestion.cli", "refresh"]
    result = {"size": name, "employees": spec["employees"], "agencies": len(registry.agencies), "generate_s": gen_s,
              "files": len(summary.files) + 4, "landing_mb": round(sum(p.stat().st_size for p in (home / "landing").rglob("*") if p.is_file()) / 2**20)}  # fmt: skip
    with DemoApiServer(summary.api_dir, port=server_port, token=TOKEN):
        result["full"] = measured(cli, env)
        revised = revise(home / "landing", registry)
        result["incremental"] = measured(cli, {**env})
        result["incremental"]["revised_agencies"] = revised
    # lower bound: compile the models against an empty warehouse (no incremental filters)
    # the same file name as the lower bound database, so compiled names resolve there
    (home / "compile").mkdir(exist_ok=True)
    compile_env = {**env, "KINERJA_WAREHOUSE": str(home / "compile" / "lower_bound.duckdb")}
    subprocess.run([str(Path(sys.executable).parent / "dbt"), "compile", "--quiet", "--project-dir",
                    str(PROJECT_ROOT / "dbt_project"), "--profiles-dir", str(PROJECT_ROOT / "dbt_project")],
                   env=compile_env, check=True)  # fmt: skip
    lb = measured([sys.executable, "-m", "benchmarks.lower_bound", str(home), str(reg_path)], env)
    lb.update(json.loads(lb["stdout"].strip().splitlines()[-1]))
    result["lower_bound"] = lb
    return result


def machine() -> str:
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 2**20
    return f"{os.cpu_count()} cores, {mem:.0f} GB RAM, {platform.machine()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", default=["gorontalo", "jawa_barat"], choices=list(SIZES))
    ap.add_argument("--work", default=str(PROJECT_ROOT / "var" / "bench"))
    ap.add_argument("--json", default=str(PROJECT_ROOT / "var" / "bench" / "results.json"))
    args = ap.parse_args()
    work = Path(args.work)
    results = []
    for name in args.sizes:
        r = run_size(name, work)
        results.append(r)
        brief = {
            k: (
                v
                if not isinstance(v, dict)
                else {kk: vv for kk, vv in v.items() if kk not in ("stdout", "stderr")}
            )
            for k, v in r.items()
        }
        print(json.dumps(brief, indent=1), flush=True)
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": results,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
