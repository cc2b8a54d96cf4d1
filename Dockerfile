# The provisioning worker as an image (docker-compose.yml's `worker`). It drives the host's engine
# through the mounted Docker socket. The build stage compiles the CLI and the prebuilt workflow
# bundle; the runtime stage carries production dependencies only.
# test/compose/dockerfile.test.ts runs `npm run build` on exactly what the build stage copies, so a
# build input outside those paths fails a test here rather than an image build elsewhere.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY test/support ./test/support
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
CMD ["node", "bin/stigmer-runner.js", "worker"]
