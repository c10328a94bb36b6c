# syntax=docker/dockerfile:1
# The haloleads worker: a static binary on a distroless base, running as a non-root user.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/haloleads-worker ./worker
# The data directory, owned by the runtime user so that a fresh named volume inherits it.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/haloleads-worker /usr/local/bin/haloleads-worker
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV HALOLEADS_DATA=/data
EXPOSE 8089
ENTRYPOINT ["/usr/local/bin/haloleads-worker"]
