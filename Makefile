# The two commands: `make run` serves the API on 127.0.0.1:8000, `make test` runs the whole suite.
# Both need only Python 3.11 and make: dependencies go into .venv, PostgreSQL is embedded.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test migrate install check clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# The API under ASGI (granian, as in production: the OpenCode event streams hold no thread) and, beside it,
# the chat sync worker; Ctrl-C stops both.
run: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@export DJANGO_SETTINGS_MODULE=config.settings.local; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py sync_chats & worker=$$!; \
	$(BIN)/granian --interface asgi --host 127.0.0.1 --port 8000 config.asgi:application

# The suite runs against a real Docker engine (Debian's dockerd, scripts/dockerd.sh): started here when
# it is not already running, and stopped again at the end by this recipe only if it started it.
test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	@bash scripts/dockerd.sh env >/dev/null 2>&1 && started= || started=1; \
	host=$$(bash scripts/dockerd.sh start | tail -n 1); \
	case "$$host" in DOCKER_HOST=*) export "$$host";; \
	  *) echo "Container engine not started: engine tests skip (fail under CI=true)" >&2;; esac; \
	if [ -n "$$started" ]; then trap 'bash scripts/dockerd.sh stop' EXIT; fi; \
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV)
