"""`kinerja`: the operations a person runs. `kinerja --help` explains each."""

from __future__ import annotations

import argparse
import sys

from core.settings import Settings, apply_demo_secrets, switch_off_telemetry

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
    defs = build_defs(s, registry)
    result = run_job(defs, job_name, agencies, instance_for(s), full_refresh=full_refresh)
    with connect_reader(s.warehouse) as con:
        _print_summary(con)
    return report_run(result, s, publishes=job_name != INGEST_JOB)


def report_run(result, s, publishes: bool) -> int:
    """The end-of-run summary: failed agencies, failed checks, published or blocked and why.
    Returns the exit code: 0 when everything asked for ran (and was published), else 1."""
    for mat in result.get_asset_materialization_events():
        failed = mat.materialization.metadata.get("failed_agencies")
        if failed:
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
    return 1 if blocked else 0


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
    with DemoApiServer(s.home / "api", port=args.api_port, token=DEMO_TOKEN):
        from orchestration.definitions import NIGHTLY_JOB

        return _run(s, NIGHTLY_JOB, None)


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

    args = p.parse_args(argv)
    switch_off_telemetry()
    if args.command == "demo" and apply_demo_secrets({"KINERJA_TOKEN_KOTA_GORONTALO": DEMO_TOKEN}):
        print("demo: KINERJA_PSEUDONYM_KEY not set; using a demo-only key", file=sys.stderr)
    settings = Settings.from_env()  # the one reading of the environment
    settings.ensure_dirs()
    return args.func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
