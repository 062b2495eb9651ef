# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   creates .venv, writes the demo province and runs the nightly refresh on it
#   make test   creates .venv and runs lint and the tests (what CI runs: .ci/run)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test test-fast lint format env lock ui docs bench bench-national bench-demo clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

env: $(BIN)/.installed

demo: env
	$(BIN)/kinerja demo

# the tests in two processes (pytest-xdist), each module in one of them, in the order of
# tests/conftest.py (HEAVY_FIRST); the hand province is built once and shared. Two, not three,
# on this 2-core machine: the suite is bound by CPU, and one after the other on a quiet machine
# (2026-11-26, same tree) -n 2 took 5 min 02 s with 498 s of CPU, -n 3 5 min 08 s with 581 s
PYTEST_PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder
# how many of the slowest tests pytest lists (DURATIONS=0: every test, for balancing HEAVY_FIRST)
DURATIONS ?= 15
SQLFLUFF_LOG := $(shell mktemp -u /tmp/kinerja-sqlfluff.XXXXXX)

test: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# the SQL linter runs beside the tests (it mostly waits on one core); both must pass
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --disable-progress-bar \
	  > $(SQLFLUFF_LOG) 2>&1 & sqlfluff=$$!; \
	$(BIN)/pytest -q $(PYTEST_PARALLEL) --durations=$(DURATIONS); tests=$$?; \
	wait $$sqlfluff; lint=$$?; cat $(SQLFLUFF_LOG); rm -f $(SQLFLUFF_LOG); \
	test $$tests -eq 0 -a $$lint -eq 0

# the edit loop: everything but the tests marked slow (make test runs them all)
test-fast: env
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not slow"

format: env
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# the Dagster UI and daemon on the instance the command line uses (runs of `kinerja` show up)
UI_HOME := $(or $(DAGSTER_HOME),$(or $(KINERJA_HOME),$(CURDIR)/var)/dagster_home)
ui: env
	mkdir -p $(UI_HOME) && cp -n config/dagster.yaml $(UI_HOME)/dagster.yaml || true
	DAGSTER_HOME=$(UI_HOME) $(BIN)/dagster dev -w workspace.yaml

# dbt docs of the warehouse as one static HTML file (offline), from the warehouse of
# KINERJA_HOME (default var/); needs no secret
docs: env
	$(BIN)/kinerja docs

# issue 18's side-by-side timing (not part of the tests): the shared bench's plain-DuckDB floor,
# pandas notebook and the project's full refresh, then an incremental refresh after one agency
# resends one dataset, on a landing area in the standard (generated once, reused); results in
# var/bench/<size>.json. BENCH = the shared bench scripts (gen_standard.py, lower_bound.py, ...)
BENCH ?= $(abspath $(CURDIR)/../shared/bench)
bench: env
	test -d var/bench/jawa_barat/landing || \
	  $(BIN)/python $(BENCH)/gen_standard.py var/bench/jawa_barat/landing 440000 60
	$(BIN)/python -m benchmarks.side_by_side var/bench/jawa_barat/landing var/bench/jawa_barat \
	  --bench $(BENCH) --json var/bench/jawa_barat.json

bench-national: env
	test -d var/bench/national/landing || \
	  $(BIN)/python $(BENCH)/gen_standard.py var/bench/national/landing 4300000 550 38
	$(BIN)/python -m benchmarks.side_by_side var/bench/national/landing var/bench/national \
	  --bench $(BENCH) --json var/bench/national.json

# the demo generator's mix of formats (Excel, CP-1252 CSV, JSON, an API agency) at province
# sizes, against the project's own lower bound (benchmarks/run.py); results in var/bench/
bench-demo: env
	$(BIN)/python -m benchmarks.run gorontalo jawa_barat

lock: env
	$(BIN)/pip freeze --exclude-editable | grep -v '^kinerja-asn' > requirements.lock

clean:
	rm -rf $(VENV) var
