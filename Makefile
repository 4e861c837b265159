.PHONY: run test bench messages lint clean backup restore floorplan migrate-forward

run:  ## install what is missing, migrate, demo data, serve on 127.0.0.1:8000
	scripts/run.sh

test:  ## install what is missing, start PostGIS + Redis, ruff, mypy, migrations check, tests twice
	scripts/test.sh

bench:  ## benchmarks on PostGIS, with ratios against floors measured in the same run
	scripts/bench.sh

backup:  ## PostGIS deployment: pg_dump + media tar + manifest of SHA-256 into var/backups/<time>/
	python3 scripts/dbbackup.py backup

restore:  ## make restore FILE=var/backups/<time> [FORCE=1]: check the manifest, restore, verify
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<time> [FORCE=1]" >&2; exit 2; }
	python3 scripts/dbbackup.py restore "$(FILE)" $(if $(FORCE),--force)

messages:  ## refresh the .po files after changing user-facing strings, then compile them
	.venv/bin/python manage.py makemessages -l es --ignore=.venv --ignore=tests --ignore=bench
	.venv/bin/python manage.py compilemessages --ignore=.venv

floorplan:  ## the floor plan: one-way imports, no cycles, modules under 400 lines
	python3 scripts/floorplan.py

migrate-forward:  ## a database filled by an earlier main (REF=commit) migrates forward unchanged
	scripts/migrate_forward.sh $(REF)

lint:
	.venv/bin/ruff check .

clean:
	rm -rf var .run
