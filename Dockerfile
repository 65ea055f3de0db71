# Tessera's container image. The start command is the production command that CI runs
# (package.json's `start` without its `exec`; test/integration/production-process.ts reads it
# from there); test/integration/container.test.ts holds this file to it, since no container engine runs in CI to build the image.
# Build: docker build -t tessera .   Run: docker run -e DATABASE_URL=postgres://… -p 4000:4000 tessera

# The Node the npm scripts run on (package.json's `node` dependency), so the image runs the same.
ARG NODE_VERSION=24.21.0

# Installs everything, checks the sources and compiles them to dist/: the image builds only from
# a tree that typechecks and whose generated resolver types match schema.graphql.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run codegen:check && npm run build

# Production dependencies only. Their install scripts are not needed at run time: they fetch a
# Node binary (the image has its own) and set up the embedded PostgreSQL, which production
# refuses (NODE_ENV=production needs DATABASE_URL).
FROM node:${NODE_VERSION}-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
# tini is PID 1: it forwards SIGTERM to node, which then drains (SHUTDOWN_TIMEOUT_SECONDS), and
# reaps any zombie. Node itself as PID 1 would get no default signal handling from the kernel.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=production-dependencies /app/node_modules ./node_modules
# From the build stage, so that its checks must have passed.
COPY --from=build /app/package.json /app/schema.graphql ./
COPY --from=build /app/dist ./dist
# The sources too, for the operator CLI (`node src/cli/tessera.ts`), which runs them directly.
COPY --from=build /app/src ./src
# The official image's unprivileged user; the app writes nothing to disk.
USER node
EXPOSE 4000
# With node itself: slim images have no curl or wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 4000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/main.js"]
