# One image per service: docker build --build-arg SERVICE=<folder of its main> .
#   SERVICE=command-services/account | command-services/shop | command-services/product | command-services/order | projections | query-api | all-in-one
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY shared-kernel/package.json shared-kernel/
COPY openapi/package.json openapi/
COPY command-services/account/package.json command-services/account/
COPY command-services/shop/package.json command-services/shop/
COPY command-services/product/package.json command-services/product/
COPY command-services/order/package.json command-services/order/
COPY projections/package.json projections/
COPY query-api/package.json query-api/
COPY all-in-one/package.json all-in-one/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node ${SERVICE}/dist/main.js"]
