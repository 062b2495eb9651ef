"""Run a suite on a DataFrame with GX 1.x and summarise the result for people."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.offline_docs import make_offline

if TYPE_CHECKING:
    import pandas as pd

# Great Expectations takes seconds to import: only the steps that run a gate import it (in
# GateContext), not every process that loads the code location

# validation results kept in GX's store, the latest first (about 13 a night: a month of
# runs); older ones move to ARCHIVED_RESULTS. GX lists and parses every stored result several
# times in each Data Docs build: with 5,000 stored (a year) one build took 4.5 s, with 1,000
# 1.1 s, fresh 0.5 s (BENCHMARKS.md, eighth session), and each run builds them two or three
# times. The Data Docs show the stored results (GX removes the pages of the others).
STORED_RESULTS = 400
DOCS_INDEX_LIMIT = STORED_RESULTS
ARCHIVED_RESULTS = "arsip_hasil_validasi"  # in <root>/gx: the results moved out of the store


FINGERPRINT_KEY = "kinerja_fingerprint"


def suite_fingerprint(expectations: list) -> str:
    """What a suite checks (each expectation's kind, arguments and meta), as one hash."""
    parts = [e.dict(exclude={"id", "rendered_content"}) for e in expectations]
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Failure:
    rule: str
    severity: str  # block | warn
    expectation: str
    column: str | None
    unexpected_count: int
    examples: list[str] = field(default_factory=list)  # labels of failing rows (agency, region)

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        ex = f" ({', '.join(self.examples[:10])})" if self.examples else ""
        return f"[{self.severity}] {self.rule}: {self.expectation}{where}, {self.unexpected_count} row(s){ex}"


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    evaluated: int
    failures: list[Failure]

    @property
    def blocking(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "block"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "warn"]


class GateContext:
    """A file-backed GX project in <root>/gx, so every run adds to the Data Docs."""

    def __init__(
        self, root: Path, run_name: str | None = None, stored_results: int = STORED_RESULTS
    ):
        """`run_name`: what the Data Docs call this run's validations (e.g. the Dagster
        run and the gate), instead of GX's `__none__`. `stored_results`: how many validation
        results stay in GX's store (`_archive_old_results`)."""
        import great_expectations as gx

        from expectations import gx_fast_paths

        gx_fast_paths.install()  # GX's own hot spots, same results (gx_fast_paths.py)
        self.run_name = run_name
        self.stored_results = stored_results
        root.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(root))
        self.root = Path(self.context.root_directory)  # <root>/gx
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        # the data source as stored, with the data assets and batch definitions of earlier
        # runs (add_or_update_pandas would replace it by an empty one: every validation then
        # added its asset again, saving the project's configuration twice)
        try:
            self.source = self.context.data_sources.get("kinerja")
        except KeyError:
            self.source = self.context.data_sources.add_pandas("kinerja")

    def run(
        self,
        name: str,
        df: pd.DataFrame,
        expectations: list,
        label_column: str | None = None,
    ) -> SuiteOutcome:
        from great_expectations.core.run_identifier import RunIdentifier

        try:
            asset = self.source.get_asset(name)
        except (LookupError, KeyError):
            asset = self.source.add_dataframe_asset(name)
        try:
            batch = asset.get_batch_definition("batch")
        except (LookupError, KeyError):
            batch = asset.add_batch_definition_whole_dataframe("batch")
        vd = self._validation_definition(name, batch, expectations)
        df = df.reset_index(drop=True)
        run_id = RunIdentifier(run_name=self.run_name) if self.run_name else None
        result = vd.run(batch_parameters={"dataframe": df}, result_format="COMPLETE", run_id=run_id)
        failures = []
        for r in result.results:
            if r.success:
                continue
            cfg = r.expectation_config
            idx = (r.result or {}).get("unexpected_index_list") or []
            examples = []
            if label_column and idx and label_column in df.columns:
                positions = [i if isinstance(i, int) else i.get("index") for i in idx]
                examples = sorted({str(df.at[i, label_column]) for i in positions if i is not None})
            failures.append(
                Failure(
                    rule=cfg.meta.get("rule", cfg.type),
                    severity=cfg.meta.get("severity", "block"),
                    expectation=cfg.type,
                    column=cfg.meta.get("column")
                    or cfg.kwargs.get("column")
                    or cfg.kwargs.get("column_A"),
                    unexpected_count=int((r.result or {}).get("unexpected_count") or 0),
                    examples=examples,
                )
            )
        return SuiteOutcome(name, len(df), len(result.results), failures)

    def _validation_definition(self, name: str, batch, expectations: list):
        """The stored validation definition of `name` when its suite is still `expectations`
        on `batch` (the suite's fingerprint in its meta); otherwise the suite and the
        definition are saved anew. GX's add_or_update saves the suite twice, the batch
        definition (the project's configuration) and the definition on every call, about
        0.5 s a night for suites that change only with the code."""
        import great_expectations as gx
        from great_expectations.exceptions import DataContextError

        fingerprint = suite_fingerprint(expectations)
        try:
            stored = self.context.validation_definitions.get(name)
        except (DataContextError, LookupError, KeyError):
            stored = None
        if (
            stored is not None
            and stored.suite.meta.get(FINGERPRINT_KEY) == fingerprint
            and stored.data.id == batch.id
        ):
            return stored
        suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(
                name=name, expectations=expectations, meta={FINGERPRINT_KEY: fingerprint}
            )
        )
        return self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )

    def build_docs(self) -> Path:
        """Build the Data Docs pages of this run's validations (`run_name`; every page when
        the context has no run name) and the index, then make the new pages work offline
        (expectations/offline_docs.py). Rebuilding every page on every run would grow with
        the history: a year of nightly runs is thousands of validation results."""
        started = time.time()
        self._archive_old_results()
        ids = None
        if self.run_name:
            keys = self.context.validation_results_store.list_keys()
            ids = [k for k in keys if k.run_id.run_name == self.run_name]
            ids += list({k.expectation_suite_identifier for k in ids})
        self._limit_index()
        self.context.build_data_docs(resource_identifiers=ids or None)
        site = Path(self.context.root_directory) / "uncommitted" / "data_docs" / "local_site"
        make_offline(site, since=None if ids is None else started - 1)
        return site / "index.html"

    def _archive_old_results(self) -> None:
        """Keep the latest `stored_results` validation results in GX's store and move the
        older ones, files unchanged, to <root>/gx/ARCHIVED_RESULTS under the same relative
        path (nothing is deleted), but never this run's. GX's results lie at <suite>/<run
        name>/<run time>/<batch>.json; the run time (e.g. 20261127T073342.012309Z) orders
        them."""
        store = self.root / "uncommitted" / "validations"
        results = sorted(store.rglob("*.json"), key=lambda p: (p.parent.name, str(p)))
        old = [
            p
            for p in results[: max(len(results) - self.stored_results, 0)]
            if p.parts[-3] != self.run_name  # this run's own, whatever the clock said
        ]
        for path in old:
            moved = self.root / ARCHIVED_RESULTS / path.relative_to(store)
            moved.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, moved)
        for folder in sorted({p.parent for p in old}, key=lambda f: -len(f.parts)):
            while folder != store and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def _limit_index(self) -> None:
        """The index page lists the latest DOCS_INDEX_LIMIT validations (GX reads each one it
        lists); older pages stay on disk."""
        sites = self.context.variables.data_docs_sites or {}
        builder = (sites.get("local_site") or {}).get("site_index_builder")
        if builder is not None and builder.get("validation_results_limit") != DOCS_INDEX_LIMIT:
            builder["validation_results_limit"] = DOCS_INDEX_LIMIT
            self.context.variables.data_docs_sites = sites
            self.context.variables.save()
