# syntax=docker/dockerfile:1
#
# One image runs every Python process of the ARH platform:
#   API        python -m app.main                       (the default CMD)
#   worker     taskiq worker app.worker:broker
#   scheduler  taskiq scheduler app.worker:scheduler
#   migrate    python -m app.cli migrate
#   sandbox    python -m sandbox                        (development only)
# The `nginx` target is the edge: the built front ends plus deploy/nginx.conf.
#
#   docker build -t arh .                    # app image (last stage)
#   docker build --target nginx -t arh-web . # nginx with the front ends
# docker-compose.yml builds both.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
# 1.28+: upstream servers with `resolve` (re-resolving api replicas) are in open-source nginx
ARG NGINX_IMAGE=nginx:1.28-bookworm

# ---------------------------------------------------------------- front ends
# Only the front-end folders that exist are built (portal/ and h5/ arrive
# later). A plain COPY of a missing folder fails the build, so this stage
# picks them out of the context with a bind mount. Its output is compared by
# content, so a change to Python code does not rebuild the front ends.
FROM busybox:1.36 AS web-src
RUN --mount=type=bind,target=/ctx \
    mkdir -p /src && \
    for d in admin portal h5; do \
        if [ -f "/ctx/$d/package.json" ]; then cp -a "/ctx/$d" /src/; fi; \
    done

# Swagger UI for /docs is served by the API from the local package, not a CDN,
# so its files are carried over from admin's node_modules.
FROM ${NODE_IMAGE} AS web
WORKDIR /build
COPY --from=web-src /src/ /build/
RUN --mount=type=cache,target=/root/.npm \
    set -eu; mkdir -p /out; \
    for d in admin portal h5; do \
        [ -f "$d/package.json" ] || continue; \
        echo "building $d/"; \
        (cd "$d" && npm ci --no-audit --no-fund --loglevel=error && npm run build); \
        cp -a "$d/dist" "/out/$d"; \
    done; \
    if [ -d admin/node_modules/swagger-ui-dist ]; then \
        cp -a admin/node_modules/swagger-ui-dist /out/swagger-ui-dist; \
    fi; \
    ls -1 /out

# -------------------------------------------------------- Python dependencies
FROM ${PYTHON_IMAGE} AS python-build
# Compilers only for a dependency without a wheel for this platform (e.g. arm64).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11
WORKDIR /src
COPY pyproject.toml uv.lock ./
# --frozen: install exactly uv.lock, fail if it is out of date with pyproject.toml.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# ------------------------------------------------------------------- nginx
FROM ${NGINX_IMAGE} AS nginx
RUN rm -f /etc/nginx/conf.d/default.conf
COPY deploy/nginx.conf /etc/nginx/nginx.conf
COPY --from=web /out/ /usr/share/nginx/html/
# a front end that is not built yet gets a placeholder instead of a 404 loop
RUN set -eu; for d in admin portal h5; do \
        mkdir -p "/usr/share/nginx/html/$d"; \
        [ -f "/usr/share/nginx/html/$d/index.html" ] || \
            printf '<!doctype html><meta charset="utf-8"><title>%s</title><p>%s 尚未发布</p>\n' "$d" "$d" \
                >"/usr/share/nginx/html/$d/index.html"; \
    done
# (no `nginx -t` here: it would try to resolve the upstream host `api`)

# ------------------------------------------------------------------ the app
FROM ${PYTHON_IMAGE} AS app
# fonts-noto-cjk: Chinese glyphs in generated PDFs; poppler-utils: PDF to image/text;
# libpango*: what WeasyPrint loads to lay out HTML; tini: reaps children, forwards signals.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 arh \
    && useradd --system --uid 10001 --gid arh --home-dir /app --shell /usr/sbin/nologin arh

ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENV=prod \
    API_HOST=0.0.0.0 \
    API_PORT=8000 \
    API_WORKERS=2 \
    ADMIN_DIST=/app/web/admin \
    SWAGGER_DIST=/app/web/swagger-ui-dist \
    FILE_ROOT=/app/var/files

WORKDIR /app
COPY --from=python-build /opt/venv /opt/venv
COPY --from=web /out/ /app/web/
COPY . /app/
# Fail the build if the code does not import with the locked dependencies;
# precompile it, since the arh user cannot write /app at run time.
RUN python -c "import app.server, app.worker, app.cli" \
    && python -m compileall -q /app \
    && mkdir -p /app/var/files && chown -R arh:arh /app/var

USER arh
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["python", "-m", "app.main"]
