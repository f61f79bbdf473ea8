# Multi-stage: build a static binary, run it as a non-root user with /data as its volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gimark . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /
COPY --from=build /out/gimark /gimark
# The volume starts owned by the unprivileged user so it can write its database there.
COPY --from=build --chown=65532:65532 /out/data /data
# Same defaults as `go run .`: SQLite under the data folder, listening on :8080.
ENV GIMARK_ADDR=:8080 \
    GIMARK_DATA_DIR=/data \
    GIMARK_DB_DSN=/data/gimark.db
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/gimark"]
CMD ["serve"]
