"""`kinerja status`: who has submitted what, whether on time, what is held or quarantined,
the last publication and its age, and the next scheduled run (`--json` for monitoring)."""

from __future__ import annotations

import datetime as dt
import json

from core.domain import WIB
from core.registry import Registry, nama_wilayah_sementara, peringatan_wilayah
from core.settings import Settings
from orchestration.schedules import NIGHTLY_CRON


def next_nightly_run(now: dt.datetime) -> dt.datetime:
    """The next tick of the nightly schedule (NIGHTLY_CRON: minute and hour, every day, WIB)."""
    minute, hour = (int(p) for p in NIGHTLY_CRON.split()[:2])
    local = now.astimezone(WIB)
    tick = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return tick if tick > local else tick + dt.timedelta(days=1)


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _years_by_file(con) -> dict[tuple[str, str], list[int]]:
    """(sha, kode) -> years of the rows loaded from that file (staging.stg_raw__file_years,
    written by every build; empty before the first)."""
    if not _table_exists(con, "staging", "stg_raw__file_years"):
        return {}
    out: dict[tuple[str, str], list[int]] = {}
    for sha, kode, tahun in con.execute(
        "SELECT DISTINCT file_sha256, kode_instansi, tahun FROM staging.stg_raw__file_years ORDER BY 3"
    ).fetchall():
        out.setdefault((sha, kode), []).append(tahun)
    return out


def deadline_state(
    registry: Registry, dataset: str, first_by_year: dict[int, dt.datetime], today: dt.date
) -> dict:
    """Whether the last completed year's submission came by the registry's deadline."""
    tahun = today.year - 1
    due = registry.deadline(dataset, tahun)
    if due is None:
        return {"tahun_wajib": tahun, "tenggat": None, "status": "tanpa_tenggat"}
    first = first_by_year.get(tahun)
    if first is not None:
        state = "tepat_waktu" if first.astimezone(WIB).date() <= due else "terlambat"
    else:
        state = "belum_dikirim_lewat_tenggat" if today > due else "belum_dikirim"
    return {"tahun_wajib": tahun, "tenggat": due.isoformat(), "status": state}


def collect(con, s: Settings, registry: Registry, now: dt.datetime | None = None) -> dict:
    """The status as data (what `--json` prints)."""
    from core.standard import DATASETS
    from publication.release import latest_release

    now = now or dt.datetime.now(dt.UTC)
    years = _years_by_file(con)
    rows = con.execute(
        """SELECT kode_instansi, dataset, file_sha256, file_name, submitted_at, status,
                  rows_loaded, rows_rejected, reason
           FROM raw.load_log ORDER BY kode_instansi, dataset, submitted_at, loaded_at"""
    ).fetchall()
    by_pair: dict[tuple[str, str], list] = {}
    for r in rows:
        by_pair.setdefault((r[0], r[1]), []).append(r)
    submissions = []
    for a in registry.agencies:
        for ds in DATASETS:
            files = by_pair.get((a.kode, ds), [])
            first_by_year: dict[int, dt.datetime] = {}
            for _, _, sha, _, submitted, status, *_ in files:
                if status != "loaded":
                    continue
                for y in years.get((sha, a.kode), []):
                    first_by_year.setdefault(y, submitted.replace(tzinfo=dt.UTC))
            last = files[-1] if files else None
            submissions.append(
                {
                    "kode_instansi": a.kode,
                    "nama_instansi": a.nama,
                    "dataset": ds,
                    "jumlah_file": len(files),
                    "kiriman_terakhir": None
                    if last is None
                    else {
                        "file": last[3],
                        "dikirim_pada": last[4].replace(tzinfo=dt.UTC).isoformat(),
                        "tahun": years.get((last[2], a.kode), []),
                        "status": last[5],
                        "baris_dimuat": last[6],
                        "baris_ditolak": last[7],
                    },
                    "tenggat": deadline_state(
                        registry, ds, first_by_year, now.astimezone(WIB).date()
                    ),
                }
            )
    quarantined = [
        {"kode_instansi": r[0], "dataset": r[1], "file": r[3],
         "dikirim_pada": r[4].replace(tzinfo=dt.UTC).isoformat(), "alasan": r[8]}
        for r in rows if r[5] == "quarantined"
    ]  # fmt: skip
    held = []
    if _table_exists(con, "raw", "penahanan"):
        for kode, ds, tahun, name, aturan, alasan, when in con.execute(
            """SELECT kode_instansi, dataset, tahun, file_name, aturan, alasan, ditahan_pada
               FROM raw.penahanan WHERE diterima_pada IS NULL ORDER BY ALL"""
        ).fetchall():
            held.append({"kode_instansi": kode, "dataset": ds, "tahun": tahun, "file": name,
                         "aturan": aturan, "alasan": alasan,
                         "ditahan_pada": when.replace(tzinfo=dt.UTC).isoformat()})  # fmt: skip
    release = latest_release(s.published)
    publication = None
    if release is not None:
        manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
        at = dt.datetime.strptime(manifest["published_at"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        publication = {
            "folder": str(release),
            "terbit_pada": at.isoformat(),
            "umur_jam": round((now - at).total_seconds() / 3600, 1),
        }
    codes = set(registry.codes)
    new_regions = [
        {"kode_wilayah": k, "nama_sementara": nama_wilayah_sementara(k),
         "instansi": [c for c in v if c in codes]}
        for k, v in registry.wilayah_baru.items() if codes.intersection(v)
    ]  # fmt: skip
    return {
        "waktu": now.isoformat(),
        "kiriman": submissions,
        # registered kabupaten/kota codes the region seed lacks (published provisionally)
        "wilayah_belum_dikenal": new_regions,
        "karantina": quarantined,
        "ditahan": held,
        "publikasi_terakhir": publication,
        "run_terjadwal_berikutnya": next_nightly_run(now).isoformat(),
    }


STATE_WORDS = {
    "tepat_waktu": "tepat waktu",
    "terlambat": "TERLAMBAT",
    "belum_dikirim": "belum dikirim",
    "belum_dikirim_lewat_tenggat": "BELUM DIKIRIM (lewat tenggat)",
    "tanpa_tenggat": "-",
}


def render(status: dict, console) -> None:
    from rich.table import Table

    from core.numbers import angka

    t = Table(title="Kiriman per instansi dan dataset", title_justify="left")
    for col in ("instansi", "dataset", "file terakhir", "dikirim (WIB)", "tahun", "tenggat"):
        t.add_column(col)
    for k in status["kiriman"]:
        last = k["kiriman_terakhir"]
        d = k["tenggat"]
        due = (f"{d['tahun_wajib']}: {STATE_WORDS[d['status']]}"
               + (f" (s.d. {d['tenggat']})" if d["tenggat"] else ""))  # fmt: skip
        if last is None:
            t.add_row(k["kode_instansi"], k["dataset"], "-", "-", "-", due)
            continue
        sent = dt.datetime.fromisoformat(last["dikirim_pada"]).astimezone(WIB)
        name = last["file"].split("/")[-1]
        name += " [karantina]" if last["status"] == "quarantined" else ""
        t.add_row(k["kode_instansi"], k["dataset"], name, f"{sent:%Y-%m-%d %H:%M}",
                  ", ".join(map(str, last["tahun"])) or "-", due)  # fmt: skip
    console.print(t)
    if status["karantina"]:
        console.print("\nFILE DIKARANTINA (tidak dapat dibaca, disimpan utuh):")
        for q in status["karantina"]:
            console.print(f"- {q['kode_instansi']} {q['file']}: {q['alasan']}")
    if status["ditahan"]:
        console.print("\nKIRIMAN DITAHAN (tidak dipakai sampai diterima operator):")
        for h in status["ditahan"]:
            console.print(f"- {h['kode_instansi']} {h['dataset']} {h['tahun']} ({h['file']}) "
                          f"[{h['aturan']}] {h['alasan']}")  # fmt: skip
    new_regions = {w["kode_wilayah"]: w["instansi"] for w in status["wilayah_belum_dikenal"]}
    for line in peringatan_wilayah(new_regions, batas=None):
        console.print(("\n" if line.startswith("PERINGATAN") else "") + line)
    p = status["publikasi_terakhir"]
    if p:
        console.print(f"\nPublikasi terakhir: {p['folder']} ({angka(p['umur_jam'], 1)} jam lalu)")
    else:
        console.print("\nBelum pernah terbit.")
    nxt = dt.datetime.fromisoformat(status["run_terjadwal_berikutnya"]).astimezone(WIB)
    console.print(
        f"Run terjadwal berikutnya: {nxt:%Y-%m-%d %H:%M} WIB (jadwal nightly_refresh_schedule; "
        "hanya berjalan bila daemon Dagster hidup)"
    )
