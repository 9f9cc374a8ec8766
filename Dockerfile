# One image for every Manifold service; the compose file picks the entry file per service.
# Node 24 runs TypeScript directly (type stripping): no build step.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY seed/package.json seed/
COPY schema/package.json schema/
COPY gateway/package.json gateway/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/products/package.json subgraphs/products/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/content/package.json subgraphs/content/
COPY soap-proxy/package.json soap-proxy/
COPY legacy-rest-adapter/package.json legacy-rest-adapter/
COPY webhooks/package.json webhooks/
COPY upstreams/identity-provider/package.json upstreams/identity-provider/
COPY upstreams/saas-sinks/package.json upstreams/saas-sinks/
COPY registry/package.json registry/
COPY console/package.json console/
RUN npm ci --omit=dev --no-audit --no-fund && mkdir -p /data && chown node:node /data
COPY . .
USER node
# Overridden per service in docker-compose.yml.
CMD ["node", "--import", "./platform/src/telemetry/register.ts", "gateway/src/main.ts"]
