# NestMQ: the broker and its admin UI in one image. `docker compose up -d` runs it with PostgreSQL
# (see the README's "Deploy"); alone, it keeps its embedded database in the /data volume.

# ---- build: compile the broker and the admin UI, then keep the production dependencies only
FROM node:24-slim AS build
WORKDIR /app
# The lockfiles first, so that a change of the sources alone does not install again. The root's
# postinstall installs the admin UI's own dependencies.
COPY package.json package-lock.json ./
COPY libs/mqtt-protocol/package.json libs/mqtt-protocol/
COPY libs/persistence/package.json libs/persistence/
COPY apps/admin-ui/package.json apps/admin-ui/package-lock.json apps/admin-ui/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run ui:build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: the built output and production dependencies, run as the unprivileged user `node`
FROM node:24-slim
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the broker: only /data is its to write.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs/mqtt-protocol/package.json ./libs/mqtt-protocol/package.json
COPY --from=build /app/libs/mqtt-protocol/dist ./libs/mqtt-protocol/dist
COPY --from=build /app/libs/persistence/package.json ./libs/persistence/package.json
COPY --from=build /app/libs/persistence/dist ./libs/persistence/dist
COPY --from=build /app/migrations/dist ./migrations/dist
COPY --from=build /app/apps/broker/dist/src ./apps/broker/dist/src
COPY --from=build /app/apps/admin-ui/dist/admin-ui/browser ./apps/admin-ui/dist/admin-ui/browser
RUN mkdir -p /data && chown node:node /data
USER node
# The embedded database (without DATABASE_URL), the admin API's signing secret: kept across upgrades.
VOLUME ["/data"]
# MQTT, MQTT over TLS (with MQTTS_PORT=8883 and a certificate), MQTT over WebSocket, admin UI and API.
EXPOSE 1883 8883 8083 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "apps/broker/dist/src/cli/healthcheck.js"]
# SIGTERM (docker stop): 5.0 clients get DISCONNECT 0x8B, pending writes are flushed, the process exits
# within 5 s, inside Docker's default 10 s grace period.
STOPSIGNAL SIGTERM
CMD ["node", "apps/broker/dist/src/main.js"]
