# syntax=docker/dockerfile:1
# One image for both processes: the receiver by default, the worker with
#   docker run <image> node dist/src/worker.js
# and the operator CLI with `node dist/src/cli/main.js <command>`.
# Debian (glibc), never Alpine: @temporalio/core-bridge ships native binaries for linux
# x64/arm64 gnu only, and the worker cannot load without them.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency, tsc to dist/, workflow code pre-bundled to dist/workflow-bundle.js
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY rules-kit ./rules-kit
COPY scripts ./scripts
RUN npm run build

# --- prod-deps: runtime dependencies only (its own stage, so it is cached on the lockfile alone)
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOOKLINE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    HOOKLINE_DATA_DIR=/var/lib/hookline
WORKDIR /app
# The code stays root-owned and read-only to the service user; only the data dir is writable
# (it holds the embedded PGlite store when DATABASE_URL is unset).
RUN groupadd --system --gid 10001 hookline \
    && useradd --system --uid 10001 --gid hookline --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin hookline \
    && mkdir -p /var/lib/hookline \
    && chown hookline:hookline /var/lib/hookline
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric, so orchestrators can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
EXPOSE 3000
# No HEALTHCHECK here: the worker shares the image and has no HTTP port. The receiver's check
# (GET /healthz) is in docker-compose.yml.
CMD ["node", "dist/src/receiver.js"]
