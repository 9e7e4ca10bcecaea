# syntax=docker/dockerfile:1
# Build: the same `go build` that `make build` runs.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/glimpse-web ./cmd/web \
 && go build -trimpath -ldflags="-s -w" -o /out/glimpse-engine ./cmd/engine

# Run: the system packages the local engine uses (the same list as scripts/deps.sh run).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl ffmpeg pocketsphinx pocketsphinx-en-us tesseract-ocr tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin glimpse \
 && mkdir -p /data && chown glimpse:glimpse /data
COPY --from=build /out/ /usr/local/bin/
USER glimpse
VOLUME ["/data"]
EXPOSE 8080
# TWELVELABS_API_KEY, when set, switches from the embedded engine to the cloud.
# With the embedded engine the app listens off loopback only with a login:
# run with -e GLIMPSE_BASIC_AUTH=user:password (see README, "Who can reach what").
ENV GLIMPSE_DATA=/data
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["glimpse-web", "-addr", "0.0.0.0:8080", "-data", "/data"]
