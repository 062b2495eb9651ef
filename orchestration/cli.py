"""`kinerja`: the operations a person runs. `kinerja --help` explains each."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import traceback

from core.plain_errors import ConfigError
from core.settings import (
    MissingSecret,
    Settings,
    apply_demo_secrets,
    init_env_file,
    require_pseudonym_key,
    restrict_permissions,
    switch_off_telemetry,
)

DEMO_TOKEN = "demo-token"
# the commands that build the warehouse: they stop at once without a pseudonym key
NEEDS_KEY = {"refresh", "demo"}


def _console(stream=None):
    from rich.console import Console

    stream = stream or sys.stdout
    # a log file or a pipe gets lines wide enough for the tables (a terminal: its own width)
    width = None if stream.isatty() else 160
    return Console(file=stream, highlight=False, width=width)


def cmd_demo_data(args, s: Settings) -> int:
    from core.registry import load_registry
    from demo.generate import generate

    summary = generate(load_registry(s.registry), s.home, size=args.size, seed=args.seed)
    from core.numbers import angka

    print(f"provinsi demo ditulis: {angka(len(summary.files))} file di {summary.landing}")
    print(f"data instansi API (dilayani `kinerja demo`): {summary.api_dir}")
    return 0


def _print_ignored(con, kode: str | None = None) -> None:
    """What the landing area holds that the last run did not ingest, and why."""
    where, params = ("WHERE kode_instansi = ?", [kode]) if kode else ("", [])
    rows = con.execute(
        f"SELECT path, alasan FROM raw.diabaikan {where} ORDER BY path", params
    ).fetchall()
    if rows:
        print("\nDIABAIKAN (tidak dimuat):")
    for path, why in rows:
        print(f"- {path}: {why}")


def _run(
    s: Settings,
    job_name: str,
    agency: str | None,
    full_refresh: bool = False,
    verbose: bool = False,
) -> int:
    from core.duck import connect_reader
    from core.registry import load_registry, peringatan_wilayah
    from orchestration.definitions import INGEST_JOB, build_defs
    from orchestration.progress import run_with_progress
    from orchestration.run import instance_for

    registry = load_registry(s.registry)
    # registered kabupaten/kota codes the region seed lacks: processed, named provisionally
    for line in peringatan_wilayah(registry.wilayah_baru):
        print(line, file=sys.stderr)
    agencies = [agency] if agency else registry.codes
    if agency and agency not in registry.codes:
        print(_unknown_agency(agency, registry), file=sys.stderr)
        return 2
    from orchestration.recovery import before_run

    instance = instance_for(s)
    if not before_run(s, instance, lambda line: print(line, file=sys.stderr)):
        return 3
    defs = build_defs(s, registry)
    result = run_with_progress(
        defs, job_name, agencies, instance, full_refresh=full_refresh, verbose=verbose
    )
    code = report_run(result, s, publishes=job_name != INGEST_JOB, instance=instance)
    if s.warehouse.exists():
        with connect_reader(s.warehouse) as con:
            _print_run_summary(con, result.run_id, s, registry)
            _print_holds(con)
            _print_ignored(con)
    for line in peringatan_wilayah(registry.wilayah_baru):  # again, after the run's summary
        print(("\n" if line.startswith("PERINGATAN") else "") + line)
    print(f"log dbt lengkap: {s.warehouse.parent / 'dbt_target' / 'dbt.log'}")
    return code


def _unknown_agency(kode: str, registry) -> str:
    return f"instansi tidak dikenal: {kode!r}; yang terdaftar: {', '.join(registry.codes)}"


def _no_warehouse(s: Settings) -> bool:
    """True (and says so) when there is no warehouse yet: the commands that read or change it
    stop there instead of failing on (or creating) an empty database."""
    if s.warehouse.exists():
        return False
    print("belum ada gudang data: jalankan `kinerja refresh` dahulu", file=sys.stderr)
    return True


def _print_run_summary(con, run_id: str, s: Settings, registry) -> None:
    """What this run received and changed (orchestration/summary.py), in Indonesian."""
    import duckdb
    from rich.table import Table

    from core.numbers import angka
    from orchestration.summary import format_change, summarise

    console = _console()
    try:
        summary = summarise(con, run_id, s.published, registry)
    except duckdb.Error as e:  # e.g. a build that failed half-way: the run's result says why
        console.print(f"ringkasan run tidak tersedia: {_one_line(e)}")
        return
    if summary.received:
        t = Table(title="File diterima pada run ini", title_justify="left")
        for col in ("instansi", "file", "karantina", "baris dimuat", "baris ditolak"):
            t.add_column(col, justify="left" if col == "instansi" else "right")
        for r in summary.received:
            t.add_row(r["kode_instansi"], angka(r["files"]), angka(r["quarantined"]),
                      angka(r["rows_loaded"]), angka(r["rows_rejected"]))  # fmt: skip
        console.print(t)
        q = con.execute(
            "SELECT file_name, reason FROM raw.load_log WHERE status = 'quarantined' "
            "AND run_id = ? ORDER BY 1",
            [run_id],
        ).fetchall()
        for name, reason in q:
            console.print(f"dikarantina: {name}: {reason}")
    else:
        console.print("Tidak ada file baru pada run ini.")
    if summary.replaced:
        console.print("\nKiriman yang menggantikan kiriman sebelumnya (baris sebelum -> sesudah):")
        for r in summary.replaced:
            console.print(
                f"- {r['kode_instansi']} {r['dataset']} {r['tahun']}: {r['file']} menggantikan "
                f"{r['replaced_file']} ({angka(r['rows_before'])} -> {angka(r['rows_after'])} baris)"
            )
    if summary.changes:
        console.print(
            f"\nPerubahan indikator terbesar sejak publikasi sebelumnya "
            f"({summary.compared_with.name}):"
        )
        for c in summary.changes:
            console.print(f"- {format_change(c)}")


def report_run(result, s, publishes: bool, instance=None) -> int:
    """The end of a run: its root cause in one line first (on stderr) when it failed, the
    failed agencies and checks, published or blocked and where. Returns the exit code: 0 when
    everything asked for ran (and was published), else 1."""
    from orchestration.errors import run_failure_line

    agencies_failed = False
    if not result.success and instance is not None:
        cause = run_failure_line(instance, result.run_id)
        if cause:
            print(f"GAGAL: {cause}", file=sys.stderr)
            print(f"  rincian: run {result.run_id} di Dagster UI, atau ulangi dengan -v",
                  file=sys.stderr)  # fmt: skip
    for mat in result.get_asset_materialization_events():
        failed = mat.materialization.metadata.get("failed_agencies")
        if failed:
            agencies_failed = True
            for kode, why in failed.value.items():
                print(f"GAGAL instansi {kode}: {why}", file=sys.stderr)
            break
    blocked = False
    for ev in result.get_asset_check_evaluations():
        if ev.passed:
            continue
        level = "BLOKIR" if ev.severity.value == "ERROR" else "PERINGATAN"
        blocked |= level == "BLOKIR"
        print(f"{level} pemeriksaan {ev.check_name} pada {ev.asset_key.to_user_string()}:")
        failures = ev.metadata.get("failures")
        print(
            f"  {failures.value if failures else ev.description or 'gagal'}".replace("\n", "\n  ")
        )
    published = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.to_user_string() == "publikasi"
    ]
    if published:
        print(f"TERBIT: {published[0].materialization.metadata['release'].value}")
        print(f"  terbaru: {s.published / 'latest'}")
    elif publishes:
        print(f"TIDAK TERBIT: publikasi terakhir tidak berubah ({s.published / 'latest'})")
    if not result.success:
        return 1
    return 1 if blocked or agencies_failed else 0


def _print_holds(con, run_id: str | None = None) -> None:
    """The held submissions: those held by this run first, then any still waiting."""
    from expectations.submission_review import held

    waiting = held(con)
    if not waiting:
        return
    print("\nKIRIMAN DITAHAN (tidak dipakai sampai diterima operator):")
    for h in waiting:
        print(f"- {h['kode_instansi']} {h['dataset']} {h['tahun']} [{h['aturan']}] {h['alasan']}")


def cmd_status(args, s: Settings) -> int:
    """Who sent what and when, on time or not, what is held or quarantined, the last
    publication and the next scheduled run (orchestration/status.py)."""
    import json

    from core.duck import connect_reader
    from core.registry import load_registry
    from orchestration.status import collect, render

    if _no_warehouse(s):
        return 1
    registry = load_registry(s.registry)
    if args.agency and args.agency not in registry.codes:
        print(_unknown_agency(args.agency, registry), file=sys.stderr)
        return 2
    if args.agency:
        from dataclasses import replace

        registry = replace(registry, agencies=(registry.agency(args.agency),))
    with connect_reader(s.warehouse) as con:
        status = collect(con, s, registry)
        if args.json:
            print(json.dumps(status, ensure_ascii=False, indent=2, default=str))
            return 0
        render(status, _console())
        from expectations.submission_review import withdrawn

        for kode, dataset, tahun, why in withdrawn(con):
            if not args.agency or kode == args.agency:
                print(f"ditarik: {kode} {dataset} {tahun}: {why}")
        _print_ignored(con, args.agency)
        accepted = (
            con.execute(
                """SELECT kode_instansi, dataset, tahun, diterima_oleh, diterima_pada
                FROM raw.penahanan WHERE diterima_pada IS NOT NULL
                ORDER BY diterima_pada DESC LIMIT 20"""
            ).fetchall()
            if _has_holds_table(con)
            else []
        )
        for kode, dataset, tahun, who, when in accepted:
            print(f"diterima: {kode} {dataset} {tahun} oleh {who} pada {when:%Y-%m-%d %H:%M} UTC")
    return 0


def _has_holds_table(con) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'raw' AND table_name = 'penahanan'"
    ).fetchone()[0])  # fmt: skip


def cmd_init(args, s: Settings) -> int:  # noqa: ARG001
    """The secrets file with a random pseudonym key (once; an existing key is kept)."""
    path, written = init_env_file()
    if written:
        print(f"kunci pseudonim acak dibuat di {path} (hanya dapat dibaca pemiliknya); "
              "simpan cadangannya: kunci lain menghasilkan pseudonim lain")  # fmt: skip
    else:
        print(f"kunci pseudonim sudah ada di {path}; tidak diubah")
    return 0


def cmd_docs(args, s: Settings) -> int:  # noqa: ARG001
    """dbt's docs as one static HTML file; they read the catalogue, so no secret is needed.
    Written beside the warehouse (its own target folder: the code location's manifest in
    dbt_project/target is left alone, a running daemon keeps reading it)."""
    import subprocess

    from core.paths import DBT_PROJECT_DIR
    from core.settings import docs_environment
    from orchestration.assets.warehouse import DBT_EXECUTABLE

    if _no_warehouse(s):
        return 1
    import json

    from core.personal_data import dbt_vars

    target = s.warehouse.parent / "dbt_docs"
    vars_ = json.dumps(
        {"warehouse_path": str(s.warehouse), "duckdb_memory_limit": s.duckdb_memory_limit,
         **dbt_vars()}
    )  # fmt: skip
    done = subprocess.run(
        [DBT_EXECUTABLE, "--no-send-anonymous-usage-stats", "--quiet", "docs", "generate",
         "--static", "--profiles-dir", str(DBT_PROJECT_DIR), "--project-dir",
         str(DBT_PROJECT_DIR), "--target-path", str(target), "--vars", vars_],
        env=docs_environment(),
    )  # fmt: skip
    if done.returncode:
        print("dbt docs generate gagal (lihat pesan dbt di atas)", file=sys.stderr)
        return 1
    print(f"buka {target / 'static_index.html'} di peramban")
    return 0


def cmd_terima(args, s: Settings) -> int:
    """Accept the held submissions of one agency, dataset and year; the next run applies them."""
    import getpass

    import duckdb

    from core.duck import connect_writer
    from core.standard import DATASETS
    from expectations.submission_review import accept

    if args.dataset not in DATASETS:
        print(
            f"dataset tidak dikenal: {args.dataset!r} (pilihan: {', '.join(DATASETS)})",
            file=sys.stderr,
        )
        return 2
    if _no_warehouse(s):
        return 1
    who = args.oleh or getpass.getuser()
    try:
        con = connect_writer(s.warehouse, s.duckdb_memory_limit)
    except duckdb.IOException:
        print(
            "gudang data sedang dipakai proses lain (refresh malam?): coba lagi setelah selesai",
            file=sys.stderr,
        )
        return 1
    with con:
        n = accept(con, args.kode, args.dataset, args.tahun, who)
    if not n:
        print(
            f"tidak ada kiriman {args.kode} {args.dataset} {args.tahun} yang ditahan",
            file=sys.stderr,
        )
        return 1
    print(
        f"diterima oleh {who}: {n} kiriman {args.kode} {args.dataset} {args.tahun}; "
        "dipakai pada refresh berikutnya (`kinerja refresh`)"
    )
    return 0


def cmd_tarik(args, s: Settings) -> int:
    """Withdraw a file an agency sent by mistake; the next run no longer counts it."""
    import getpass

    import duckdb

    from core.duck import connect_writer
    from expectations.submission_review import withdraw

    if _no_warehouse(s):
        return 1
    who = args.oleh or getpass.getuser()
    try:
        con = connect_writer(s.warehouse, s.duckdb_memory_limit)
    except duckdb.IOException:
        print("gudang data sedang dipakai proses lain: coba lagi setelah selesai", file=sys.stderr)
        return 1
    with con:
        done = withdraw(con, args.kode, args.file, who)
    if not done:
        print(f"tidak ada file {args.file!r} yang dimuat dari {args.kode}", file=sys.stderr)
        return 1
    years = ", ".join(f"{d} {t}" for d, t in done)
    print(
        f"ditarik oleh {who}: {args.kode} {args.file} ({years}); baris tetap di arsip dan "
        "log muat; berlaku pada refresh berikutnya (`kinerja refresh`)"
    )
    return 0


def cmd_ingest(args, s: Settings) -> int:
    from orchestration.definitions import INGEST_JOB

    return _run(s, INGEST_JOB, args.agency, verbose=args.verbose)


def cmd_refresh(args, s: Settings) -> int:
    from orchestration.definitions import NIGHTLY_JOB

    return _run(s, NIGHTLY_JOB, args.agency, full_refresh=args.full_refresh, verbose=args.verbose)


def cmd_demo(args, s: Settings) -> int:
    """The demo's secrets are in the environment before `s` was read (see main)."""
    from demo.api_server import DemoApiServer

    rc = cmd_demo_data(args, s)
    if rc:
        return rc
    try:
        server = DemoApiServer(s.home / "api", port=args.api_port, token=DEMO_TOKEN)
    except OSError:
        # the port is taken: any free one, written into a copy of the registry
        server = DemoApiServer(s.home / "api", port=0, token=DEMO_TOKEN)
        print(
            f"demo: port {args.api_port} sedang dipakai; API demo memakai {server.base_url}",
            file=sys.stderr,
        )
        s = demo_registry_on(s, args.api_port, server.server.server_address[1])
    with server:
        from orchestration.definitions import NIGHTLY_JOB

        return _run(s, NIGHTLY_JOB, None, verbose=args.verbose)


def demo_registry_on(s: Settings, port: int, new_port: int) -> Settings:
    """A copy of the registry (in KINERJA_HOME) whose API agencies on 127.0.0.1:`port` are
    on 127.0.0.1:`new_port` instead."""
    import dataclasses

    import yaml

    reg = yaml.safe_load(s.registry.read_text(encoding="utf-8"))
    for a in reg.get("agencies", []):
        api = a.get("api") or {}
        if f"127.0.0.1:{port}" in str(api.get("base_url", "")):
            api["base_url"] = api["base_url"].replace(f"127.0.0.1:{port}", f"127.0.0.1:{new_port}")
    copy = s.home / "agencies.demo.yaml"
    copy.write_text(yaml.safe_dump(reg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dataclasses.replace(s, registry=copy)


def cmd_rejects(args, s: Settings) -> int:
    from core.duck import connect_reader

    if _no_warehouse(s):
        return 1
    with connect_reader(s.warehouse) as con:
        where, params = ("WHERE kode_instansi = ?", [args.agency]) if args.agency else ("", [])
        rows = con.execute(
            f"SELECT kode_instansi, file_name, baris, kolom, nilai, aturan, alasan FROM raw.rejects "
            f"{where} ORDER BY kode_instansi, file_name, baris LIMIT ?",
            [*params, args.limit],
        ).fetchall()
    for r in rows:
        print(" | ".join("" if v is None else str(v) for v in r))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="kinerja",
        description="Pipeline kinerja ASN BKD provinsi. Lokasi dari KINERJA_HOME (bawaan ./var) "
        "dan KINERJA_REGISTRY (bawaan config/agencies.yaml); rahasia dari variabel lingkungan "
        "atau berkas rahasia (KINERJA_ENV_FILE, bawaan .env).",
    )
    # -v on the commands that run the pipeline: today's detail (Dagster's and dbt's log)
    loud = argparse.ArgumentParser(add_help=False)
    loud.add_argument(
        "-v", "--verbose", action="store_true",
        help="tampilkan log setiap langkah, keluaran dbt, dan traceback bila ada galat",
    )  # fmt: skip
    sub = p.add_subparsers(dest="command", required=True)

    n = sub.add_parser(
        "init", help="buat berkas rahasia dengan kunci pseudonim acak (sekali; lalu dipertahankan)"
    )
    n.set_defaults(func=cmd_init)

    d = sub.add_parser("demo-data", help="tulis area pendaratan provinsi demo (Gorontalo)")
    d.add_argument("--size", type=int, default=32000, help="jumlah pegawai (bawaan 32000)")
    d.add_argument("--seed", type=int, default=7, help="benih acak (bawaan 7)")
    d.set_defaults(func=cmd_demo_data)

    i = sub.add_parser("ingest", parents=[loud], help="muat kiriman instansi ke raw")
    i.add_argument("--agency", help="hanya instansi ini (kodenya di registri)")
    i.set_defaults(func=cmd_ingest)

    f = sub.add_parser(
        "refresh",
        parents=[loud],
        help="refresh malam: muat kiriman semua instansi, dbt build, gerbang mutu, terbitkan "
        "(kode keluar 1 bila ada langkah gagal atau publikasi diblokir)",
    )
    f.add_argument(
        "--agency", help="muat hanya instansi ini, lalu perbarui yang bergantung padanya"
    )
    f.add_argument(
        "--full-refresh",
        action="store_true",
        help="bangun ulang fakta semua tahun (setelah registri atau kunci pseudonim berubah)",
    )
    f.set_defaults(func=cmd_refresh)

    m = sub.add_parser(
        "demo",
        parents=[loud],
        help="init, demo-data, lalu refresh malam atas data itu (menjalankan API demo)",
    )
    m.add_argument("--size", type=int, default=32000, help="jumlah pegawai (bawaan 32000)")
    m.add_argument("--seed", type=int, default=7, help="benih acak (bawaan 7)")
    m.add_argument("--api-port", type=int, default=8765, help="port API instansi demo")
    m.set_defaults(func=cmd_demo)

    r = sub.add_parser("rejects", help="daftar baris yang ditolak beserta alasannya")
    r.add_argument("--agency", help="hanya instansi ini")
    r.add_argument("--limit", type=int, default=50, help="paling banyak sekian baris (bawaan 50)")
    r.set_defaults(func=cmd_rejects)

    st = sub.add_parser(
        "status",
        help="per instansi dan dataset kiriman terakhir dan tenggatnya; kiriman ditahan dan "
        "file dikarantina; publikasi terakhir; run terjadwal berikutnya",
    )
    st.add_argument("--agency", help="hanya instansi ini")
    st.add_argument("--json", action="store_true", help="sebagai JSON, untuk pemantauan")
    st.set_defaults(func=cmd_status)

    t = sub.add_parser(
        "terima",
        help="terima kiriman yang ditahan (instansi, dataset, tahun): dipakai refresh berikutnya",
    )
    t.add_argument("kode", help="kode instansi, mis. KAB-X")
    t.add_argument("dataset", help="dataset, mis. pelatihan")
    t.add_argument("tahun", type=int, help="tahun, mis. 2025")
    t.add_argument("--oleh", help="siapa yang menerima (bawaan: pengguna yang login)")
    t.set_defaults(func=cmd_terima)

    dc = sub.add_parser(
        "docs", help="dokumentasi dbt sebagai satu file HTML statis (tanpa rahasia)"
    )
    dc.set_defaults(func=cmd_docs)

    w = sub.add_parser(
        "tarik",
        help="tarik file yang keliru dikirim instansi (dicatat; refresh berikutnya melewatinya)",
    )
    w.add_argument("kode", help="kode instansi, mis. KAB-X")
    w.add_argument("file", help="nama file di area pendaratan (atau sha256-nya)")
    w.add_argument("--oleh", help="siapa yang menarik (bawaan: pengguna yang login)")
    w.set_defaults(func=cmd_tarik)

    args = p.parse_args(argv)
    restrict_permissions()
    verbose = getattr(args, "verbose", False)
    switch_off_telemetry()
    try:
        if args.command == "demo":
            path, written = init_env_file()
            if written:
                print(f"demo: kunci pseudonim acak dibuat di {path}", file=sys.stderr)
            apply_demo_secrets({"KINERJA_TOKEN_KOTA_GORONTALO": DEMO_TOKEN})
        settings = Settings.from_env()  # the one reading of the environment (and secrets file)
        if args.command in NEEDS_KEY:
            require_pseudonym_key()
        settings.ensure_dirs()
        return args.func(args, settings)
    except (MissingSecret, ValueError, OSError) as e:
        # a missing secret, a file that is not there: one line; a YAML file people edit that
        # is wrong (registry, standard, gate config, limits): each of its mistakes, one a line
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            print(f"disk penuh: tidak dapat menulis {e.filename or ''}".strip(), file=sys.stderr)
            return 1
        if verbose:
            traceback.print_exc()
        print(str(e).strip() if isinstance(e, ConfigError) else _one_line(e), file=sys.stderr)
        return 2
    except Exception as e:  # anything else: its one line too; the traceback with -v
        from orchestration.recovery import disk_full_message

        full = disk_full_message(e, settings) if "settings" in locals() else None
        if full:
            print(full, file=sys.stderr)
            return 1
        if verbose:
            traceback.print_exc()
        print(f"{type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        if not verbose:
            print("  rincian: ulangi dengan -v", file=sys.stderr)
        return 1


def _one_line(e: BaseException) -> str:
    lines = [line for line in str(e).splitlines() if line.strip()]
    more = f" (+{len(lines) - 1} baris lagi; ulangi dengan -v)" if len(lines) > 1 else ""
    return (lines[0] if lines else type(e).__name__) + more


def run() -> None:
    """The `kinerja` command: `main`, then the process ends at once with its exit code. Python's
    own teardown after a refresh (freeing dbt's, Great Expectations' and Dagster's objects one
    by one) took 2 s of every command (BENCHMARKS.md, sixth session) and does nothing a
    finished command needs: every file, DuckDB connection, worker pool and storage connection
    is closed by then, and the output and log handlers are flushed here. What the normal end
    would still do that others see: multiprocessing's finalizers unlink the named semaphores
    of locks still alive (dbt's parsed projects and adapters hold one each); without them its
    resource tracker warns of "leaked semaphore objects" on the operator's terminal."""
    code = main()
    _run_multiprocessing_finalizers()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def _run_multiprocessing_finalizers() -> None:
    """multiprocessing's finalizers of priority 0 and above, as its own exit function runs
    them (multiprocessing.util has no public name for it; without it, only the warning)."""
    import multiprocessing.util

    finalize = getattr(multiprocessing.util, "_run_finalizers", None)
    if finalize is not None:
        finalize(0)


if __name__ == "__main__":
    run()
