# Build stage: all dependencies; compile the service to dist/ and the browser bundle to client/dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY core core
COPY src src
COPY worker worker
COPY tasks tasks
COPY scripts scripts
# npm start (scripts/start.ts) starts its Redis and processes through the testbed
COPY testbed testbed
COPY client client
RUN npm run build

# Runtime stage: production dependencies and compiled output only, run as the unprivileged `node` user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist dist
# The Lua scripts are read from beside the sources at start (core/lua-source.ts).
COPY --from=build /app/core/scripts core/scripts
COPY --from=build /app/client/dist client/dist
# The manifests of the dashboard's and the command line's documents, served by id (TRUSTED_DOCUMENTS).
COPY client/src/graphql/generated/persisted-documents.json client/src/graphql/generated/
COPY cli/graphql/generated/persisted-documents.json cli/graphql/generated/
USER node
EXPOSE 4000
# The API by default; compose runs the worker from the same image with its own command.
CMD ["node", "dist/src/main.js"]
