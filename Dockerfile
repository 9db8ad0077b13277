# Multi-stage, slim, non-root. The same steps as `make build` / `make run`:
# install the project, build the database from data/ at image build time, serve with uvicorn.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
# Editable, as in the Makefile: the app finds migrations/ and pyproject.toml beside it.
RUN pip install -e .
COPY data ./data
# Build the database from data/ (migrate, validate, load); a bad data file fails the image.
ENV DATA_DIR=/srv/data DATABASE_URL=sqlite:////srv/var/bilateral.sqlite3
RUN mkdir -p /srv/var && python -m app build

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATA_DIR=/srv/data DATABASE_URL=sqlite:////srv/var/bilateral.sqlite3 PORT=8000
RUN useradd --system --uid 10001 --home-dir /srv --shell /usr/sbin/nologin api
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/pyproject.toml ./
COPY --from=build /srv/app ./app
COPY --from=build /srv/migrations ./migrations
COPY --from=build /srv/data ./data
COPY --from=build --chown=api:api /srv/var ./var
USER api
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
# The database is built; serve it read-only.
CMD ["sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port ${PORT} --no-server-header --proxy-headers --loop asyncio --timeout-graceful-shutdown 10"]
