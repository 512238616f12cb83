# The two commands of the README. Each creates .venv on first use, so a fresh machine
# with Python 3.11 needs nothing else. Versions come from the lock files in requirements/
# (exact versions for Python 3.11 on Linux); `make lock` refreshes them from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs the locked versions into .venv and writes the locks. It lives in a virtualenv of its own,
# never in .venv (it is not a dependency of the workbench). It installs exactly what pip would, compiled to
# bytecode as pip does, in about a third of pip's time: a fresh .venv with the test extras took pip 96 s and
# uv 36 s, uv's own install included (2026-12-06, caches cold for uv).
UV_VENV := build/uv-venv
UV := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.9
# uv is tried once per version (the stamp): where it cannot be installed, make does not try again.
UV_TRIED := $(UV_VENV)/.tried-$(UV_VERSION)
# $(call install,ARGS): uv when it was installed and can reach the index, pip otherwise (the same lock files).
install = { test -x $(UV) && $(UV) pip install --quiet --python $(BIN)/python --compile-bytecode $(1); } || $(BIN)/python -m pip install --quiet $(1)
LOCK_OPTIONS := --python-version 3.11 --python-platform linux --quiet $(LOCK_ARGS)

.PHONY: reports test validate lock clean-venv i18n-extract i18n-update i18n-compile lab pdf

$(UV_TRIED):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION) || echo "uv could not be installed: pip installs the lock files instead"
	touch $@

# make reports needs only the main dependencies (no pytest, no playwright and its browser driver).
$(VENV)/.main-installed: requirements/main.lock pyproject.toml | $(UV_TRIED)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "the lock files are for Python 3.11; run make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call install,-r requirements/main.lock)
	$(call install,--no-deps -e .)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# make test adds the test extras (main.lock plus pytest, playwright).
$(VENV)/.test-installed: $(VENV)/.main-installed requirements/test.lock
	$(call install,-r requirements/test.lock)
	touch $@

## make reports: validate the data, then regenerate every report (the main job)
reports: $(VENV)/.main-installed
	$(BIN)/workbench validate
	$(BIN)/workbench reports $(ARGS)

## make test: run the whole test suite in three workers on the two cores (TEST_WORKERS=0 runs it in
## one process): two left about a sixth of the CPU idle while kernels, browsers and commands started. One
## BLAS thread per worker, as the report runner gives its kernels: OpenBLAS's own threads would only
## wait on each other's (results are the same). The package is compiled to bytecode first, once, for
## the few hundred processes the suite starts (where PYTHONDONTWRITEBYTECODE is set, each compiled it).
TEST_WORKERS ?= 3
test: $(VENV)/.test-installed
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m compileall -q src
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(ARGS)

validate: $(VENV)/.main-installed
	$(BIN)/workbench validate

## make pdf: the reports as A4 PDFs in reports/pdf/ (Chromium's printing through Playwright, a test extra;
## says so when Chromium is missing: apt-get install chromium). make reports needs neither.
pdf: $(VENV)/.test-installed reports
	$(BIN)/workbench pdf

## make lab: JupyterLab with the project's kernel, opening the what-if explorer
lab: $(VENV)/.main-installed
	$(BIN)/jupyter lab notebooks/explore.ipynb

## Translations, the gettext way (README: "How a translator works"). The English source of every
## interface string is src/workbench/model/messages.py; Russian and Kazakh are the .po catalogues.
LOCALE ?= src/workbench/locale
I18N_SOURCES ?= src/workbench/model/messages.py src/workbench/model/message_words.py
## make i18n-extract: write the template (workbench.pot) from the strings marked in the code
i18n-extract: $(VENV)/.main-installed
	$(BIN)/pybabel extract --no-default-keywords -k N_:1c,2 -k NP_:1c,2,3 --omit-header --sort-by-file \
	    --add-comments=TRANSLATORS: -o $(LOCALE)/workbench.pot $(I18N_SOURCES)
## make i18n-update: merge the template into the ru and kk catalogues (a changed English string turns fuzzy)
i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALE)/workbench.pot -d $(LOCALE) -D workbench --width 100 --ignore-pot-creation-date
## make i18n-compile: compile the catalogues to .mo (never committed; the runner also compiles stale ones)
i18n-compile: $(VENV)/.main-installed
	$(BIN)/pybabel compile -d $(LOCALE) -D workbench --statistics
	WORKBENCH_LOCALE_DIR=$(LOCALE) $(BIN)/python -c "from workbench.model.catalogues import compile_catalogues; compile_catalogues(force=True)"

## make lock: write requirements/main.lock and requirements/test.lock from pyproject.toml.
## Versions already locked are kept where they still fit; make lock LOCK_ARGS=--upgrade takes
## the newest of everything.
lock: | $(UV_TRIED)
	@test -x $(UV) || { echo "make lock needs uv, which could not be installed (see above)"; exit 1; }
	$(UV) pip compile pyproject.toml $(LOCK_OPTIONS) -o requirements/main.lock
	$(UV) pip compile pyproject.toml --extra test --constraint requirements/main.lock $(LOCK_OPTIONS) -o requirements/test.lock

clean-venv:
	rm -rf $(VENV) $(UV_VENV)
