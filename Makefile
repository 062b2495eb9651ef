# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   creates .venv, writes the demo province and runs the nightly refresh on it
#   make test   creates .venv and runs lint and the tests (what CI runs: .ci/run)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test test-fast lint format env lock ui docs bench bench-national clean

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
# tests/conftest.py (HEAVY_FIRST); the hand province is built once and shared
PYTEST_PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder
SQLFLUFF_LOG := $(shell mktemp -u /tmp/kinerja-sqlfluff.XXXXXX)

test: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# the SQL linter runs beside the tests (it mostly waits on one core); both must pass
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --disable-progress-bar \
	  > $(SQLFLUFF_LOG) 2>&1 & sqlfluff=$$!; \
	$(BIN)/pytest -q $(PYTEST_PARALLEL) --durations=15; tests=$$?; \
	wait $$sqlfluff; lint=$$?; cat $(SQLFLUFF_LOG); rm -f $(SQLFLUFF_LOG); \
	test $$tests -eq 0 -a $$lint -eq 0

# the edit loop: everything but the tests marked slow (make test runs them all)
test-fast: env
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not slow"

format: env
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ui: env
	$(BIN)/dagster dev -w workspace.yaml

# dbt docs of the warehouse as one static HTML file (offline), from the demo warehouse
docs: env
	cd dbt_project && ../$(BIN)/dbt docs generate --static --profiles-dir . --vars "$$(cd .. && \
	  $(BIN)/python -c 'import json, sys; from core.personal_data import dbt_vars; \
	  print(json.dumps({"warehouse_path": sys.argv[1], **dbt_vars()}))' \
	  '$(or $(KINERJA_WAREHOUSE),$(CURDIR)/var/warehouse/kerja.duckdb)')"
	@echo "open dbt_project/target/static_index.html in a browser"

# timing and memory at province sizes (not part of the tests); results in var/bench/results.json
bench: env
	$(BIN)/python -m benchmarks.run gorontalo jawa_barat

# the national size: generated once (about 25 minutes, 5 GB), reused afterwards
bench-national: env
	$(BIN)/python -m benchmarks.run national --keep-data --json var/bench/national.json

lock: env
	$(BIN)/pip freeze --exclude-editable | grep -v '^kinerja-asn' > requirements.lock

clean:
	rm -rf $(VENV) var
