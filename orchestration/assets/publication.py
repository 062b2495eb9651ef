"""Publication assets: replaced atomically, only after every blocking gate passed."""

from datetime import timedelta
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, FreshnessPolicy, MaterializeResult, asset

from core.duck import connect_reader
from orchestration.assets.published_marts import PUBLISHED_FROM
from orchestration.assets.review import REVIEW
from orchestration.recovery import claim_run
from orchestration.resources import WarehouseResource
from publication.release import latest_release, publish


@asset(
    key=["publikasi"],
    group_name="publication",
    deps=[AssetKey([name]) for name in PUBLISHED_FROM] + [REVIEW],
    pool="duckdb_writer",
    kinds={"duckdb", "csv", "parquet"},
    # published nightly at about 01:00 WIB; stale when a night was missed
    freshness_policy=FreshnessPolicy.time_window(fail_window=timedelta(hours=26)),
    description="The published release: the analysts' read-only marts (kinerja.duckdb) and the "
    "indicator files, in <published>/runs/<release>, with <published>/latest switched to it "
    "atomically. Runs only when every blocking quality gate passed, and switches only when no "
    "published file holds an NIP or a roster name (publication/scan.py).",
)
def publikasi(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    # xlsxwriter, the report and the scan: imported by the step that uses them
    from publication.files import write_publication_files
    from publication.report import EMPTY_MESSAGE
    from publication.scan import RosterNames, assert_no_personal_data

    claim_run(context)
    context.log.info("publikasi: membangun rilis")
    working, published = Path(warehouse.warehouse_path), Path(warehouse.published)
    previous = latest_release(published)
    # the last line of defence: every file of the release is searched for NIPs and roster
    # names (the warehouse's detector) before `latest` is switched; a hit blocks it
    names = RosterNames.from_warehouse(working)
    release = publish(
        working,
        published,
        context.run_id,
        memory_limit=warehouse.duckdb_memory_limit,
        extra=lambda folder, stamp: write_publication_files(
            working, folder, stamp, previous, workers=warehouse.read_workers
        ),
        check=lambda folder: assert_no_personal_data(folder, names, previous),
    )
    if _no_indicators(working):
        context.log.warning(f"publikasi tanpa indikator: {EMPTY_MESSAGE}")
    context.log.info(f"terbit: {release}")
    return MaterializeResult(
        metadata={"release": str(release), "latest": str(Path(warehouse.published) / "latest")}
    )


def _no_indicators(working: Path) -> bool:
    with connect_reader(working) as con:
        return not con.execute("SELECT count(*) FROM marts.indikator_wilayah").fetchone()[0]
