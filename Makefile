# Two entry points of the README's quick start; everything else is plain Python tooling.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test fuzz mutate lint bench bench-lsp vscode diagrams clean

$(BIN)/bpl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

setup: $(BIN)/bpl

# Compile, plan and apply the samples against the embedded sandbox portal.
demo: setup
	$(BIN)/bpl check samples/
	$(BIN)/bpl compile samples/ -o out/
	$(BIN)/bpl plan
	$(BIN)/bpl apply --auto-approve
	$(BIN)/bpl plan --detailed-exitcode

test: setup
	$(BIN)/ruff check compiler tests
	$(BIN)/mypy compiler
	$(BIN)/bpl fmt --check samples stdlib
	$(BIN)/pytest -q -n 2 -p no:cacheprovider

# The fuzz tests with budgets BPL_FUZZ_SCALE times larger than in `make test`.
fuzz: setup
	BPL_FUZZ_SCALE=$${BPL_FUZZ_SCALE:-100} $(BIN)/pytest -q -n 2 -p no:cacheprovider tests/fuzz

# The checker's mutation figures: typed mistakes made in samples/, the share caught per class,
# every miss and every excluded mutant (tests/compiler/test_mutation.py holds it to 95%).
mutate: setup
	$(BIN)/python -m compiler.mutation -v

bench: setup
	$(BIN)/python -m compiler.bench

# Completion and diagnostics of `bpl lsp` on a 2,000-line file, over stdio (figures, not a test).
bench-lsp: setup
	$(BIN)/python -m compiler.lsp.bench

# The VS Code extension as out/bpl-vscode.vsix (needs npm; docs/editors.md).
vscode:
	cd editors/vscode && npm ci --no-audit --no-fund && \
	npx --yes @vscode/vsce@3.9.2 package --allow-missing-repository --out ../../out/bpl-vscode.vsix

# The README's diagram (needs Graphviz); `make test` fails when it is stale.
diagrams: setup
	$(BIN)/bpl graph samples --workflow contract_review -o docs/images/contract_review.svg

clean:
	rm -rf $(VENV) out .bpl .pytest_cache
