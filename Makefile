# Concord: `make demo` sets up and serves the demo county; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup demo test translations messages benchmark clean

setup: $(VENV)/.installed node_modules/.installed translations

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

translations: $(VENV)/.installed
	@CONCORD_TESTING=1 $(PY) manage.py compile_translations

# Regenerate the message catalogues after changing translatable strings (needs GNU gettext).
messages: $(VENV)/.installed
	cd concord && CONCORD_TESTING=1 ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete --add-location file

demo: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	@echo "Concord demo: http://$(HOST):$(PORT)/"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	scripts/test.sh

clean:
	rm -rf var test-artifacts

# Benchmark: small and county-scale demo databases on SQLite, and on PostgreSQL when it answers
# (scripts/services.py's address); prints a table and updates docs/benchmarks.md. BENCH_ARGS="--help" lists options.
.PHONY: bench
bench: setup
	CONCORD_TESTING=1 $(PY) manage.py bench $(BENCH_ARGS)
