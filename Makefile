# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/monitor.toml

.PHONY: run test check lint mutation clean chromium promtool docs image test-image package lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/legal-monitor --config $(CONFIG) run

# The browser test drives Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium

# axe-core (npm) checks the dashboard's pages in the browser test (tests/test_accessibility.py).
AXE := tests/a11y/node_modules/axe-core/axe.min.js

test: $(VENV)/.installed-test chromium promtool $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's npm for the accessibility test"; \
		apt-get -o DPkg::Lock::Timeout=600 update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q npm \
			|| echo "could not install npm: the accessibility test will be skipped"; \
	fi
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/a11y --no-audit --no-fund --silent && touch $@; \
	else \
		echo "no npm: the accessibility test will be skipped"; \
	fi

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's chromium for the browser test"; \
			apt-get -o DPkg::Lock::Timeout=600 update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q chromium \
				|| echo "could not install chromium: the browser test will be skipped"; \
		else \
			echo "no $(CHROMIUM) and no root apt-get: the browser test will be skipped"; \
		fi; \
	fi
# The /metrics test checks the exposition with promtool (Debian package prometheus).
promtool:
	@if ! command -v promtool >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's prometheus for promtool"; \
			apt-get -o DPkg::Lock::Timeout=600 update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
				prometheus || echo "could not install prometheus: the promtool test will be skipped"; \
		else \
			echo "no promtool and no root apt-get: the promtool test will be skipped"; \
		fi; \
	fi
# Mutation scores of the alert-deciding code (slow; not part of `make test`).
$(VENV)/.installed-mutation: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $@

mutation: $(VENV)/.installed-mutation
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python scripts/mutation_scores.py

# The documentation site (docs/, mkdocs.yml) into site/; --strict: a broken link fails it.
$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

# The house rules alone (make test runs them too, in tests/test_architecture.py).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check monitor tests benchmarks
	$(BIN)/lint-imports

# NO_MKDOCS_2_WARNING quiets Material's banner (it is maintained until 2027; Zensical succeeds it).
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# The container image, with docker or podman (docs/docker.md); test-image also runs its smoke test.
image:
	scripts/image.sh

test-image:
	scripts/test-image.sh

# The sdist and wheel to publish, in dist/, checked by twine.
package: $(VENV)/.installed-test
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

# requirements.lock: the versions the image installs, for every Python the project supports.
lock: $(VENV)/.installed-test
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --quiet -o requirements.lock

check: $(VENV)/.installed
	$(BIN)/legal-monitor --config $(CONFIG) check

clean:
	rm -rf $(VENV) .pytest_cache mutants build dist site tests/a11y/node_modules
