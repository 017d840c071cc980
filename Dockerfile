# syntax=docker/dockerfile:1
# One image for all four services; HOOKSTREAM_SERVICE (or the first argument) picks which one runs.
#   docker build -t hookstream .
#   docker run -e HOOKSTREAM_SERVICE=ingress -p 3000:3000 hookstream
ARG NODE_IMAGE=node:24-slim

# Build: all dependencies, compile to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies only, installed apart so no dev tool reaches the final image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Owned by root and not writable by the app: the root filesystem is read-only in Kubernetes anyway.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/hookstream
# Numeric UID of the image's `node` user, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000 3001 3002 3003
ENTRYPOINT ["/usr/local/bin/hookstream"]
