# lianbao — the two set-up commands are `make demo` and `make test`.
PY ?= .venv/bin/python
VENV_STAMP := .venv/.installed

.PHONY: venv lock FORCE docs demo console demo-real check test test-reliability test-ha bench bench-quick up health compose-check clean

PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)

# Re-installs when a lock, pyproject.toml or the set of plug-in folders changes (a new plug-in folder
# is picked up by the next make venv / test / demo).
# setuptools<81 below: nameko 2.14 imports pkg_resources, gone in setuptools 81 (see requirements.in)
$(VENV_STAMP): requirements.lock requirements-test.lock pyproject.toml $(PLUGIN_PROJECTS) .venv/.plugins
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade 'pip' 'setuptools<81' wheel
	$(PY) -m pip install -q -r requirements.lock -r requirements-test.lock
	$(PY) -m pip install -q --no-deps -e .
	@for p in plugins/*/; do [ -f "$$p/pyproject.toml" ] && $(PY) -m pip install -q --no-deps -e "$$p" || true; done
	touch $(VENV_STAMP)

# The list of plug-in folders, rewritten only when it changes (so a new folder triggers a re-install).
.venv/.plugins: FORCE
	@mkdir -p .venv
	@echo "$(PLUGIN_PROJECTS)" | cmp -s - $@ || echo "$(PLUGIN_PROJECTS)" > $@

FORCE:

venv: $(VENV_STAMP)

## Re-compile the two locks from requirements.in and requirements-test.in (pip-tools, in its own venv).
lock:
	test -x .venv-tools/bin/pip-compile || (python3 -m venv .venv-tools && .venv-tools/bin/pip install -q pip-tools==7.6.2)
	.venv-tools/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links requirements.in -o requirements.lock
	.venv-tools/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links requirements-test.in -o requirements-test.lock

## The main job on the embedded default: no broker, SQLite, all five services in one process.
demo: venv
	$(PY) -m lianbao demo --out out/demo

## After make demo: the console over the demo's year (the five services and the gateway in this
## process on out/demo/data), an account printed for each role; PORT=8000 by default; Ctrl-C stops it.
console: venv
	$(PY) -m lianbao console --demo --out out/demo --port $${PORT:-8000}

## The same on RabbitMQ and PostgreSQL (BROKER_URL and DATABASE_URL_TEMPLATE may be overridden;
## by default each run gets fresh databases lianbao_demo<timestamp>_<service>).
demo-real: venv
	BROKER_URL=$${BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/} \
	DATABASE_URL_TEMPLATE=$${DATABASE_URL_TEMPLATE:-postgresql://postgres@127.0.0.1:5432/lianbao_demo$$(date +%s)_{service}} \
	$(PY) -m lianbao demo --real --out out/demo-real

## The embedded suite started, its health printed, stopped.
check: venv
	$(PY) -m lianbao up --embedded --check --data .data/embedded

# pytest exits 5 when it collected no test: said by name (make itself answers 2 for any failure),
# so a suite that quietly collects nothing fails loudly, here and in .ci/run
NO_TEST_FAILS = || { code=$$?; [ $$code -ne 5 ] || echo "make $@: pytest collected no test" >&2; exit $$code; }

## All tests: unit, service (embedded), integration and end-to-end (real RabbitMQ and PostgreSQL).
test: venv
	$(PY) -m pytest -m "not slow" -q --durations=25 $(NO_TEST_FAILS)

## The slow fault-injection runs (kill -9, broker restarts) on the real broker.
test-reliability: venv
	$(PY) -m pytest -m "slow and not ha" -q tests/reliability $(NO_TEST_FAILS)

## A three-node RabbitMQ cluster of its own (quorum queues), the five services as processes, a node lost
## under load, twice (a node the services are not connected to; the one they are): nothing lost.
test-ha: venv
	$(PY) -m pytest -m ha -q -p no:cacheprovider tests/reliability/test_ha_cluster.py $(NO_TEST_FAILS)

## Every benchmark in bench/, one table: figure, baseline measured in the same run, ratio, target.
bench: venv
	$(PY) bench/run_all.py

bench-quick: venv
	$(PY) bench/run_all.py --quick

up: venv
	$(PY) -m lianbao up $(if $(BROKER_URL),,--embedded)

health: venv
	$(PY) -m lianbao health

## Rewrite the generated reference pages of docs/reference/ (schemas, hooks, HTTP routes, configuration).
docs: venv
	$(PY) -m lianbao docs build

## Check docker-compose.yml without a Docker engine (Debian's docker-compose 1.29, as .ci/run installs).
compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf .data out
