# Leadbot: a static, pure-Go binary (no cgo) on a distroless base that
# runs as a non-root user.
#
#   docker build -t leadbot .
#   docker run -p 8080:8080 -e LEADBOT_API_TOKEN=... -v leadbot-data:/data leadbot

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/leadbot ./cmd/leadbot \
	&& mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadbot /usr/local/bin/leadbot
COPY configs/leadbot.yaml /etc/leadbot/leadbot.yaml
# The embedded SQLite file lives in /data; mount a volume there to keep it.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV LEADBOT_HTTP_ADDR=0.0.0.0:8080 \
	LEADBOT_DATABASE_DSN=/data/leadbot.db \
	LEADBOT_LOG_FORMAT=json
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/leadbot"]
CMD ["serve", "--config", "/etc/leadbot/leadbot.yaml"]
