.PHONY: run test bench messages lint clean

run:  ## install what is missing, migrate, demo data, serve on 127.0.0.1:8000
	scripts/run.sh

test:  ## install what is missing, start PostGIS + Redis, ruff, migrations check, tests twice
	scripts/test.sh

bench:  ## benchmarks on PostGIS, with ratios against floors measured in the same run
	scripts/bench.sh

messages:  ## refresh the .po files after changing user-facing strings, then compile them
	.venv/bin/python manage.py makemessages -l es --ignore=.venv --ignore=tests --ignore=bench
	.venv/bin/python manage.py compilemessages --ignore=.venv

lint:
	.venv/bin/ruff check .

clean:
	rm -rf var .run
