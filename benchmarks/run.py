"""Benchmark the nightly refresh at province and national sizes (not part of the tests).

usage: python -m benchmarks.run [gorontalo] [jawa_barat] [national] [--work DIR] [--json FILE]
                                [--keep-data] [--generate-only] [--full-only]

For each size: generate the demo data (two years, ~3 trainings, ~1 survey response, 4
performance dialogues and ~0.05 rewards per employee-year, the demo's mix of formats), then measure wall time and peak memory of
  1. the full nightly refresh from an empty warehouse (`kinerja refresh`: ingest, dbt, gates, publish)
  2. an incremental refresh after 3 agencies sent revisions
  3. the lower bound: the same reading, typing and model SQL in plain DuckDB (benchmarks.lower_bound)
Each step runs in its own process under /usr/bin/time; peak memory is the largest resident
set of any process of the step (dbt runs in a child process of the refresh).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.registry import national_registry, national_wilayah, synthetic_registry
from core import personal_data
from core.paths import PROJECT_ROOT
from core.registry import WILAYAH_SEED, Agency, Registry, load_registry
from demo.api_server import DemoApiServer
from demo.generate import DemoSummary, generate

SIZES = {
    "gorontalo": {
        "kode": "75",
        "employees": 32_000,
        "agencies": 12,
        "registry": PROJECT_ROOT / "config" / "agencies.yaml",
    },
    "jawa_barat": {"kode": "32", "employees": 440_000, "agencies": 60, "registry": None},
    "national": {"kode": None, "employees": 4_300_000, "agencies": 552, "registry": None},
}
TOKEN = "bench-token"


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc), in kB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue  # the process ended meanwhile
    return total


def measured(cmd: list[str], env: dict, cwd: Path = PROJECT_ROOT) -> dict:
    """Wall time; peak resident memory of the largest single process (from /usr/bin/time)
    and of the whole process tree together (sampled every 0.2 s: the refresh process, dbt,
    the reader processes)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-v", *cmd],
        env=env,
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.wait(0.2):
            peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - t
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(rss / 1024),
        "peak_tree_rss_mb": round(peak_tree / 1024),
        "rc": proc.returncode,
        "stdout": stdout[-2000:],
        "stderr": stderr[-3000:],
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


def project_copy(home: Path) -> Path:
    """The national size runs from a copy of the project whose region seed holds every
    kabupaten/kota (synthetic where the product's seed has none), see benchmarks.registry."""
    proj = home / "project"
    skip = shutil.ignore_patterns(
        ".git", ".venv", "var", "target", "logs", "__pycache__", "*.duckdb"
    )
    shutil.copytree(PROJECT_ROOT, proj, ignore=skip)
    national_wilayah(proj / "dbt_project" / "seeds" / "wilayah.csv")
    # the deployment step (as `dagster-dbt project prepare-and-package`): parse the dbt
    # project once when the code is installed, not in the first nightly run
    dbt = str(Path(sys.executable).parent / "dbt")
    subprocess.run(
        [
            dbt,
            "parse",
            "--quiet",
            "--project-dir",
            str(proj / "dbt_project"),
            "--profiles-dir",
            str(proj / "dbt_project"),
        ],
        check=True,
    )
    return proj


def generate_by_province(registry: Registry, home: Path, size: int) -> DemoSummary:
    """The national population in one part per province (bounded memory); NIPs never
    repeat across parts. Each part's size follows its agencies (kabupaten/kota weigh 3)."""
    provinces: dict[str, list[Agency]] = {}
    for a in registry.agencies:
        provinces.setdefault(a.kode_wilayah[:2], []).append(a)
    weight = {
        p: sum(3 if a.jenis == "kabupaten_kota" else 1 for a in ags) for p, ags in provinces.items()
    }
    total = sum(weight.values())
    files: list[str] = []
    for k, (prov, agencies) in enumerate(sorted(provinces.items())):
        part = dataclasses.replace(registry, agencies=tuple(agencies))
        n = round(size * weight[prov] / total)
        s = generate(
            part, home, n, seed=7 + k, clean=k == 0, nip_offset=k * 25, dialog_coverage=1.0
        )
        files += s.files
        print(
            f"generated {prov}: {n} employees, {len(agencies)} agencies",
            file=sys.stderr,
            flush=True,
        )
    return DemoSummary(s.landing, s.api_dir, files, size)


def reset(home: Path, keep_data: bool) -> dict | None:
    """An empty home, or (keep_data) one that keeps the generated landing files and API
    data of an earlier run of this size (generation takes long at national size) but
    nothing the pipeline wrote."""
    marker = home / "generated.json"
    if keep_data and marker.exists():
        for p in home.iterdir():
            if p.name not in ("landing", "api", "generated.json"):
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        for p in (home / "landing").rglob("revisi_*"):
            p.unlink()
        return json.loads(marker.read_text())
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return None


def run_size(
    name: str,
    work: Path,
    keep_data: bool = False,
    generate_only: bool = False,
    full_only: bool = False,
) -> dict:
    spec = SIZES[name]
    home = work / name
    kept = reset(home, keep_data)
    server_port = 18765
    proj = PROJECT_ROOT
    wilayah_seed = WILAYAH_SEED
    if name == "national":
        proj = project_copy(home)
        wilayah_seed = proj / "dbt_project" / "seeds" / "wilayah.csv"
        reg_path = national_registry(wilayah_seed, home / "agencies.yaml", server_port)
    elif spec["registry"]:
        text = (
            Path(spec["registry"])
            .read_text()
            .replace("http://127.0.0.1:8765", f"http://127.0.0.1:{server_port}")
        )
        reg_path = home / "agencies.yaml"
        reg_path.write_text(text.replace("KINERJA_TOKEN_KOTA_GORONTALO", "KINERJA_TOKEN_BENCH"))
    else:
        reg_path = synthetic_registry(
            spec["kode"], spec["agencies"], home / "agencies.yaml", server_port
        )
    registry = load_registry(reg_path, wilayah_seed)
    t = time.perf_counter()
    if kept:
        summary = DemoSummary(home / "landing", home / "api", kept["files"], spec["employees"])
    elif name == "national":
        summary = generate_by_province(registry, home, spec["employees"])
    else:
        summary = generate(registry, home, size=spec["employees"], dialog_coverage=1.0)
    gen_s = kept["generate_s"] if kept else round(time.perf_counter() - t, 1)
    marker = {"generate_s": gen_s, "files": summary.files}
    (home / "generated.json").write_text(json.dumps(marker))
    if generate_only:
        return {"size": name, "generate_s": gen_s, "files": len(summary.files)}
    env = {
        **os.environ,
        "KINERJA_HOME": str(home),
        "KINERJA_REGISTRY": str(reg_path),
        "KINERJA_PSEUDONYM_KEY": "benchmark-pseudonym-key",
        "KINERJA_TOKEN_BENCH": TOKEN,
        "DAGSTER_HOME": str(home / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cli = [sys.executable, "-m", "orchestration.cli", "refresh"]
    result = {
        "size": name,
        "employees": spec["employees"],
        "agencies": len(registry.agencies),
        "generate_s": gen_s,
        "files": len(summary.files) + 4,
        "landing_mb": round(
            sum(p.stat().st_size for p in (home / "landing").rglob("*") if p.is_file()) / 2**20
        ),
    }
    print(json.dumps(result), file=sys.stderr, flush=True)
    with DemoApiServer(summary.api_dir, port=server_port, token=TOKEN):
        result["full"] = measured(cli, env, proj)
        print(json.dumps(_brief(result["full"])), file=sys.stderr, flush=True)
        if full_only:
            return result
        revised = revise(home / "landing", registry)
        result["incremental"] = measured(cli, {**env}, proj)
        result["incremental"]["revised_agencies"] = revised
        print(json.dumps(_brief(result["incremental"])), file=sys.stderr, flush=True)
    # lower bound: compile the models against an empty warehouse (no incremental filters)
    # the same file name as the lower bound database, so compiled names resolve there
    (home / "compile").mkdir(exist_ok=True)
    compile_env = {**env, "KINERJA_WAREHOUSE": str(home / "compile" / "lower_bound.duckdb")}
    subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "compile",
            "--quiet",
            "--vars",
            json.dumps(personal_data.dbt_vars()),
            "--project-dir",
            str(proj / "dbt_project"),
            "--profiles-dir",
            str(proj / "dbt_project"),
        ],
        env=compile_env,
        check=True,
    )
    lb = measured(
        [sys.executable, "-m", "benchmarks.lower_bound", str(home), str(reg_path)], env, proj
    )
    lb.update(json.loads(lb["stdout"].strip().splitlines()[-1]))
    result["lower_bound"] = lb
    return result


def _brief(step: dict) -> dict:
    return {k: v for k, v in step.items() if k not in ("stdout", "stderr")}


def machine() -> str:
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 2**20
    return f"{os.cpu_count()} cores, {mem:.0f} GB RAM, {platform.machine()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", default=["gorontalo", "jawa_barat"], choices=list(SIZES))
    ap.add_argument("--work", default=str(PROJECT_ROOT / "var" / "bench"))
    ap.add_argument("--keep-data", action="store_true", help="reuse data generated earlier")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--full-only", action="store_true", help="only the full refresh")
    ap.add_argument("--json", default=str(PROJECT_ROOT / "var" / "bench" / "results.json"))
    args = ap.parse_args()
    work = Path(args.work)
    results = []
    for name in args.sizes:
        r = run_size(name, work, args.keep_data, args.generate_only, args.full_only)
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
