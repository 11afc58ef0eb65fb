# The README's two commands: `make demo` and `make test`. Both create .venv when it is missing
# and install the exact versions of requirements/*.txt (the locks, made by `make lock`), then
# oncotrial itself, editable and without dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
STAMP_RUN := $(VENV)/.installed
STAMP_BENCH := $(VENV)/.installed-bench
# a copy of the lock last synced into .venv, which tests/test_versions.py holds the venv to
SYNCED := $(VENV)/synced-lock.txt
UV_VERSION := $(shell sed -n 's/^uv==//p' requirements/tools.in)
SYNC := $(BIN)/uv pip sync --quiet --python $(BIN)/python
SELF := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
COMPILE := UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --universal \
	--python-version 3.11 pyproject.toml requirements/tools.in $(UPGRADE)

.PHONY: demo test bench lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: requirements/tools.in | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

$(STAMP_RUN): requirements/run.txt pyproject.toml | $(BIN)/uv
	$(SYNC) requirements/run.txt
	$(SELF)
	cp requirements/run.txt $(SYNCED)
	rm -f $(STAMP) $(STAMP_BENCH)
	touch $@

$(STAMP): requirements/test.txt pyproject.toml | $(BIN)/uv
	$(SYNC) requirements/test.txt
	$(SELF)
	cp requirements/test.txt $(SYNCED)
	rm -f $(STAMP_BENCH)
	touch $@ $(STAMP_RUN)

$(STAMP_BENCH): requirements/bench.txt pyproject.toml | $(BIN)/uv
	$(SYNC) requirements/bench.txt
	$(SELF)
	cp requirements/bench.txt $(SYNCED)
	touch $@ $(STAMP) $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/oncotrial demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP_BENCH)
	$(BIN)/python -m bench

# Re-resolve the locks after a change of pyproject.toml's dependencies, keeping every pin that
# still fits (`make lock UPGRADE=--upgrade` moves everything to the newest versions). The test
# lock comes first; the others are held to its versions.
lock: | $(BIN)/uv
	$(COMPILE) --extra test -o requirements/test.txt
	$(COMPILE) -c requirements/test.txt -o requirements/run.txt
	$(COMPILE) -c requirements/test.txt --extra test --extra bench -o requirements/bench.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
