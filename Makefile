# Two commands: `make run` and `make test`. Each sets everything up from nothing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@mkdir -p out
	$(BIN)/kg build seeds -o out/seeds.ttl
	$(BIN)/kg validate out/seeds.ttl
	$(BIN)/kg load out/seeds.ttl --store out/store --replace
	@for q in queries/*.rq; do echo; echo "== $$q"; $(BIN)/kg query $$q --store out/store || exit 1; done

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf out .pytest_cache
