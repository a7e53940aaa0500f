# Soket — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo campaign runs in 2015-2016; `make run` shows it as on this day.
DEMO_TODAY ?= 2016-01-05

.PHONY: setup run test check bench lint format messages clean office-tools templates

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

messages: $(VENV)/.installed-run
	$(BIN)/python -m soket.core.compile_messages

setup: $(VENV)/.installed-run messages
	mkdir -p var/static
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

DEMO_ENV := DEBUG=1 SOKET_SIMULATED_TODAY=$(DEMO_TODAY)

# Serves the demo with the background runner (reminders, mail, documents) beside it, polling
# every second since people wait for what it makes, and the resident LibreOffice that makes
# PDFs in a fraction of a second (on its socket, var/run/office.sock; without it they take a
# few seconds); Ctrl-C stops them all.
run: setup
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) $(BIN)/python manage.py send_reminders --enqueue
	@echo "Soket: http://127.0.0.1:$(PORT)/"
	$(DEMO_ENV) sh -c '$(BIN)/python manage.py worker --interval 1 & worker=$$!; \
		$(BIN)/python manage.py office_server & office=$$!; \
		trap "kill $$worker $$office 2>/dev/null" EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)'

test: $(VENV)/.installed-dev messages check
	mkdir -p var/static
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The shape of the code, on the database in use: apps import only the layers below them,
# the types hold, and no model changed without its migration.
check: $(VENV)/.installed-dev
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy soket
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Every benchmark at 135,000 grassroots units, the completeness pages again at 400,000,
# every district deploying the plan at 20,000, and, on PostgreSQL, a deadline day through
# gunicorn (figures printed, never asserted).
bench: $(VENV)/.installed-dev messages
	mkdir -p var
	DEBUG=1 $(BIN)/python bench/run.py
	DEBUG=1 BENCH_GRASSROOTS=400000 BENCH_ONLY=completeness $(BIN)/python bench/run.py
	DEBUG=1 BENCH_GRASSROOTS=20000 BENCH_ONLY=deployments $(BIN)/python bench/run.py
	@case "$$DATABASE_URL" in \
		postgres*) DEBUG=1 $(BIN)/python bench/deadline_day.py ;; \
		*) echo "Deadline day: runs on PostgreSQL only (set DATABASE_URL)." ;; \
	esac

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Office tools: LibreOffice Writer for PDF export with a Times-compatible serif that has
# Vietnamese letters, and its Python module (uno) for the resident converter; Calc and
# pdftotext for the tests that open what Soket writes.
# Installed from Debian's packages where this machine allows (root + apt).
OFFICE_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2 poppler-utils python3-uno
office-tools:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null && [ -e /usr/lib/libreoffice/program/libsclo.so ] && fc-list :lang=vi family | grep -q "Liberation Serif\|Times New Roman" && /usr/bin/python3 -c "import uno" 2>/dev/null; then \
		echo "Office tools present."; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OFFICE_PACKAGES) >/dev/null; \
	else \
		echo "PDF export and its tests need: $(OFFICE_PACKAGES) (install them as root)."; \
	fi

# Rebuild the built-in Word template after changing soket/documents/template_builder.py.
templates: $(VENV)/.installed-run
	$(BIN)/python -m soket.documents.template_builder

clean:
	rm -rf $(VENV) var
