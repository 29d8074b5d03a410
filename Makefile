# Two commands: `make run` and `make test`. Each sets everything up from nothing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check setup browser java stores clean bench bench-quick eval screenshot

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,check,cluster]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP) java
	@mkdir -p out
	$(BIN)/kg build seeds -o out/seeds.ttl
	$(BIN)/kg validate out/seeds.ttl
	$(BIN)/kg reason out/seeds.ttl -o out/inferred.ttl
	$(BIN)/kg report out/seeds.ttl -o out/report.html
	$(BIN)/kg load out/seeds.ttl --store out/store --replace
	@for q in queries/*.rq; do echo; echo "== $$q: $$(sed -n 's/^# Question: //p' $$q)"; \
	  $(BIN)/kg query $$q --store out/store || exit 1; done

# The report's browser test drives Debian's chromium: playwright cannot download its own browser here.
# Without root we only warn; the test then skips on a developer machine and fails under CI=true.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } \
	      || echo "warning: could not install chromium with apt-get" >&2; \
	  else echo "warning: $(CHROMIUM) is missing and installing it needs root: apt-get install chromium" >&2; fi; }

# owlready2's HermiT reasoner (kg reason, tests/ontology) runs on Java: install a JRE when root, else stop.
java:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends default-jre-headless; \
	  fi; \
	  command -v java >/dev/null || { echo "error: java not found; the HermiT reasoner needs a Java runtime: apt-get install default-jre-headless" >&2; exit 2; }; }

# The store tests run Virtuoso 7 and Jena's SHACL engine as Debian packages them (tests/store, tests/ontology).
# Installed when root; otherwise a warning, the tests then skip on a developer machine and fail under CI=true.
VIRTUOSO ?= /usr/bin/virtuoso-t
JENA_JAR ?= /usr/share/java/jena-shacl.jar
stores: java
	@test -x $(VIRTUOSO) -a -f $(JENA_JAR) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	        virtuoso-opensource-7-bin libapache-jena-java; } \
	      || echo "warning: could not install virtuoso-opensource-7-bin and libapache-jena-java with apt-get" >&2; \
	  else echo "warning: $(VIRTUOSO) or $(JENA_JAR) is missing and installing them needs root: apt-get install virtuoso-opensource-7-bin libapache-jena-java" >&2; fi; }

test: $(STAMP) browser java stores
	$(BIN)/python -m pytest

# The README's pictures of the report: the browser test, saving its screenshots to docs/report*.png.
screenshot: $(STAMP) browser
	KG_SCREENSHOT=docs/report.png $(BIN)/python -m pytest -q tests/report/test_browser.py

# Lint and types: ruff and mypy, configured in pyproject.toml; zero findings is the bar.
check: $(STAMP)
	$(BIN)/ruff check kg tests bench
	$(BIN)/mypy

# Benchmarks (bench/): build vs raw spaCy in the same run, scaling, graph sizes. Full takes ~13-15 min.
bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

# Scores the dev and seed graphs against the gold annotations kept beside the repository (not in git).
EVAL_DIR ?= ../shared/eval
eval: $(STAMP)
	@test -d $(EVAL_DIR) || { echo "error: $(EVAL_DIR) not found: make eval needs the gold annotations (set EVAL_DIR=...)" >&2; exit 2; }
	@mkdir -p out
	$(BIN)/kg build $(EVAL_DIR)/dev/texts -o out/dev.ttl
	$(BIN)/kg build seeds -o out/seeds.ttl
	$(BIN)/kg eval $(EVAL_DIR)/seeds-gold.jsonl out/seeds.ttl
	$(BIN)/kg eval $(EVAL_DIR)/dev/gold.jsonl out/dev.ttl --group '^([a-z])'

clean:
	rm -rf out .pytest_cache
