# The two commands a newcomer needs: `make run` and `make test`. Each sets up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/academy db upgrade
	$(BIN)/academy run

# The whole suite on SQLite and, when TEST_DATABASE_URL is set, every test that uses a database
# again on PostgreSQL (a fresh database per test on that server). The two passes run side by side
# (each on one core); each one's output is printed when it ends, and either failing fails the run.
test: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy bot
	@bash tests/run_passes.sh $(BIN)/python

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy bot

format: $(STAMP)
	$(BIN)/ruff format bot tests bench
	$(BIN)/ruff check --fix bot tests bench

bench: $(STAMP)
	$(BIN)/python bench/updates.py

# Re-pin every dependency after changing pyproject.toml (CI installs exactly these versions).
lock:
	rm -rf /tmp/academy-lock && $(PYTHON) -m venv /tmp/academy-lock
	/tmp/academy-lock/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	/tmp/academy-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
