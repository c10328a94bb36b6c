# syntax=docker/dockerfile:1
# haloleads: one image with both binaries, static, on a distroless base, running as a non-root
# user. The entrypoint is the worker (haloleads-worker; --webhooks-only for the receiver alone);
# the operators' command line is `haloleads` (docker compose exec haloleads-worker haloleads ...).

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/haloleads-worker ./worker && \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/haloleads ./starter
# The data directory, owned by the runtime user so that a fresh named volume inherits it.
RUN mkdir -p /out/data/inbox

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/haloleads-worker /out/haloleads /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV HALOLEADS_DATA=/data
EXPOSE 8089 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 CMD ["/usr/local/bin/haloleads-worker", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/haloleads-worker"]
