"""`kinerja`: the operations a person runs. `kinerja --help` explains each."""

from __future__ import annotations

import argparse
import sys

from core.settings import (
    Settings,
    apply_demo_secrets,
    restrict_permissions,
    switch_off_telemetry,
)

DEMO_TOKEN = "demo-token"


def cmd_demo_data(args, s: Settings) -> int:
    from core.registry import load_registry
    from demo.generate import generate

    summary = generate(load_registry(s.registry), s.home, size=args.size, seed=args.seed)
    print(f"demo province written: {len(summary.files)} files in {summary.landing}")
    print(f"API agencies' data (served by `kinerja demo`): {summary.api_dir}")
    return 0


def _print_summary(con) -> None:
    from ingestion.ingest import load_summary

    rows = load_summary(con)
    print(f"\n{'agency':<20}{'files':>7}{'quarantined':>13}{'rows loaded':>13}{'rejected':>10}")
    for kode, files, quarantined, loaded, rejected in rows:
        print(f"{kode:<20}{files:>7}{quarantined:>13}{loaded:>13}{rejected:>10}")
    q = con.execute(
        "SELECT file_name, reason FROM raw.load_log WHERE status = 'quarantined' ORDER BY 1"
    ).fetchall()
    for name, reason in q:
        print(f"quarantined: {name}: {reason}")
    _print_ignored(con)


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


def _run(s: Settings, job_name: str, agency: str | None, full_refresh: bool = False) -> int:
    from core.duck import connect_reader
    from core.registry import load_registry
    from orchestration.definitions import INGEST_JOB, build_defs
    from orchestration.run import instance_for, run_job

    registry = load_registry(s.registry)
    agencies = [agency] if agency else registry.codes
    if agency and agency not in registry.codes:
        print(
            f"unknown agency {agency!r}; registered: {', '.join(registry.codes)}", file=sys.stderr
        )
        return 2
    from orchestration.recovery import before_run

    instance = instance_for(s)
    if not before_run(s, instance, lambda line: print(line, file=sys.stderr)):
        return 3
    defs = build_defs(s, registry)
    result = run_job(defs, job_name, agencies, instance, full_refresh=full_refresh)
    with connect_reader(s.warehouse) as con:
        _print_summary(con)
        _print_holds(con)
    return report_run(result, s, publishes=job_name != INGEST_JOB)


def report_run(result, s, publishes: bool) -> int:
    """The end-of-run summary: failed agencies, failed checks, published or blocked and why.
    Returns the exit code: 0 when everything asked for ran (and was published), else 1."""
    agencies_failed = False
    for mat in result.get_asset_materialization_events():
        failed = mat.materialization.metadata.get("failed_agencies")
        if failed:
            agencies_failed = True
            for kode, why in failed.value.items():
                print(f"FAILED agency {kode}: {why}", file=sys.stderr)
            break
    blocked = False
    for ev in result.get_asset_check_evaluations():
        if ev.passed:
            continue
        level = "BLOCK" if ev.severity.value == "ERROR" else "WARN"
        blocked |= level == "BLOCK"
        print(f"{level} check {ev.check_name} on {ev.asset_key.to_user_string()}:")
        failures = ev.metadata.get("failures")
        print(
            f"  {failures.value if failures else ev.description or 'failed'}".replace("\n", "\n  ")
        )
    published = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.to_user_string() == "publikasi"
    ]
    if published:
        print(f"published: {published[0].materialization.metadata['release'].value}")
        print(f"  latest:  {s.published / 'latest'}")
    elif publishes:
        print(
            f"publication BLOCKED: the last good publication is unchanged ({s.published / 'latest'})"
        )
    if not result.success:
        for ev in result.all_events:
            if ev.is_step_failure:
                msg = ev.event_specific_data.error.message.strip().splitlines()[0]
                print(f"FAILED step {ev.step_key}: {msg}", file=sys.stderr)
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
    """Who sent what, what counts, and what is held."""
    from core.duck import connect_reader

    if not s.warehouse.exists():
        print("belum ada gudang data: jalankan `kinerja refresh` dahulu")
        return 1
    with connect_reader(s.warehouse) as con:
        where, params = ("WHERE kode_instansi = ?", [args.agency]) if args.agency else ("", [])
        rows = con.execute(
            f"""SELECT kode_instansi, dataset, count(*) FILTER (WHERE status = 'loaded'),
                       count(*) FILTER (WHERE status = 'quarantined'),
                       max(submitted_at), max(loaded_at)
                FROM raw.load_log {where} GROUP BY ALL ORDER BY ALL""",
            params,
        ).fetchall()
        print(
            f"{'instansi':<20}{'dataset':<12}{'dimuat':>8}{'karantina':>11}  kiriman terakhir (UTC)"
        )
        for kode, dataset, loaded, quarantined, submitted, _ in rows:
            print(
                f"{kode:<20}{dataset:<12}{loaded:>8}{quarantined:>11}  {submitted:%Y-%m-%d %H:%M}"
            )
        _print_holds(con)
        from expectations.submission_review import withdrawn

        for kode, dataset, tahun, why in withdrawn(con):
            if not args.agency or kode == args.agency:
                print(f"ditarik: {kode} {dataset} {tahun}: {why}")
        _print_ignored(con, args.agency)
        accepted = con.execute(
            f"""SELECT kode_instansi, dataset, tahun, diterima_oleh, diterima_pada
                FROM raw.penahanan WHERE diterima_pada IS NOT NULL
                {where.replace("WHERE", "AND")} ORDER BY diterima_pada DESC LIMIT 20""",
            params,
        ).fetchall()
        for kode, dataset, tahun, who, when in accepted:
            print(f"diterima: {kode} {dataset} {tahun} oleh {who} pada {when:%Y-%m-%d %H:%M} UTC")
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

    return _run(s, INGEST_JOB, args.agency)


def cmd_refresh(args, s: Settings) -> int:
    from orchestration.definitions import NIGHTLY_JOB

    return _run(s, NIGHTLY_JOB, args.agency, full_refresh=args.full_refresh)


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

        return _run(s, NIGHTLY_JOB, None)


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
        description="ASN performance pipeline of the provincial BKD. Paths come from "
        "KINERJA_HOME (default ./var), KINERJA_REGISTRY (default config/agencies.yaml).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo-data", help="write a demo province's landing area (Gorontalo)")
    d.add_argument("--size", type=int, default=32000, help="employees (default 32000)")
    d.add_argument("--seed", type=int, default=7)
    d.set_defaults(func=cmd_demo_data)

    i = sub.add_parser("ingest", help="ingest agency submissions into the raw tables")
    i.add_argument("--agency", help="only this agency (a registry code)")
    i.set_defaults(func=cmd_ingest)

    f = sub.add_parser(
        "refresh",
        help="the nightly refresh: ingest every agency, dbt build, quality gates, publish "
        "(exit code 1 when a step failed or publication was blocked)",
    )
    f.add_argument("--agency", help="ingest only this agency, then refresh downstream")
    f.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every year of the facts (after a registry or pseudonym-key change)",
    )
    f.set_defaults(func=cmd_refresh)

    m = sub.add_parser(
        "demo", help="demo-data, then the nightly refresh on it (starts the demo API)"
    )
    m.add_argument("--size", type=int, default=32000, help="employees (default 32000)")
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--api-port", type=int, default=8765, help="port of the demo agency API")
    m.set_defaults(func=cmd_demo)

    r = sub.add_parser("rejects", help="list rejected rows with their reasons")
    r.add_argument("--agency")
    r.add_argument("--limit", type=int, default=50)
    r.set_defaults(func=cmd_rejects)

    st = sub.add_parser("status", help="who sent what, and the submissions held")
    st.add_argument("--agency", help="only this agency")
    st.set_defaults(func=cmd_status)

    t = sub.add_parser(
        "terima",
        help="accept a held submission (agency, dataset, year): the next refresh applies it",
    )
    t.add_argument("kode", help="agency code, e.g. KAB-X")
    t.add_argument("dataset", help="dataset, e.g. pelatihan")
    t.add_argument("tahun", type=int, help="year, e.g. 2025")
    t.add_argument("--oleh", help="who accepts (default: the logged-in user)")
    t.set_defaults(func=cmd_terima)

    w = sub.add_parser(
        "tarik",
        help="withdraw a file an agency sent by mistake (recorded; the next refresh skips it)",
    )
    w.add_argument("kode", help="agency code, e.g. KAB-X")
    w.add_argument("file", help="the file's name in the landing area (or its sha256)")
    w.add_argument("--oleh", help="who withdraws (default: the logged-in user)")
    w.set_defaults(func=cmd_tarik)

    args = p.parse_args(argv)
    restrict_permissions()
    switch_off_telemetry()
    if args.command == "demo" and apply_demo_secrets({"KINERJA_TOKEN_KOTA_GORONTALO": DEMO_TOKEN}):
        print("demo: KINERJA_PSEUDONYM_KEY not set; using a demo-only key", file=sys.stderr)
    settings = Settings.from_env()  # the one reading of the environment
    settings.ensure_dirs()
    try:
        return args.func(args, settings)
    except Exception as e:
        from orchestration.recovery import disk_full_message

        message = disk_full_message(e, settings)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
