# syntax=docker/dockerfile:1
# Build a static umkmbot binary, then run it as an unprivileged user on a minimal image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version `umkmbot version` prints: `git describe --always --dirty` of the checkout, passed in by
# `make image` or `VERSION=$(git describe --always --dirty) docker compose build` (.git is not in
# the build context). Unset, the binary says its version is unknown.
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/umkmbot ./cmd/umkmbot

FROM gcr.io/distroless/static-debian12:nonroot
# CA certificates and time zone data come with the image (and the binary embeds tzdata too).
COPY --from=build /out/umkmbot /usr/local/bin/umkmbot
USER nonroot:nonroot
ENV LISTEN_ADDR=:8080 TZ=Asia/Makassar
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/umkmbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/umkmbot"]
CMD ["serve"]
