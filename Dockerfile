# The provisioning worker as an image (used by docker-compose.yml). It drives the host's engine
# through the mounted Docker socket.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY test/support ./test/support
RUN npm run build
CMD ["node", "bin/stigmer-runner.js", "worker"]
