# pichanaki web/worker image: Debian 12 (bookworm) Python with the GIS runtime libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 gettext \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 pichanaki && mkdir -p /data/media && chown pichanaki /data/media
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=pichanaki:pichanaki . .
# Build-time settings only: collectstatic and compilemessages need no real secret or database.
RUN PICHANAKI_ENV=development python manage.py compilemessages -v 0 --ignore=.venv \
 && PICHANAKI_ENV=development python manage.py collectstatic --noinput -v 0
USER pichanaki
EXPOSE 8000
CMD ["gunicorn", "pichanaki.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
