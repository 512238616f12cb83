# The two commands of the README. Each creates .venv on first use, so a fresh machine
# with Python 3.11 needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: reports test validate clean-venv

$(BIN)/workbench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

## make reports: validate the data, then regenerate every report (the main job)
reports: $(BIN)/workbench
	$(BIN)/workbench validate
	$(BIN)/workbench reports $(ARGS)

## make test: run the whole test suite
test: $(BIN)/workbench
	$(BIN)/python -m pytest $(ARGS)

validate: $(BIN)/workbench
	$(BIN)/workbench validate

clean-venv:
	rm -rf $(VENV)
