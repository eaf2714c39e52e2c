# Two commands matter: `make run` (the bot in a terminal, no token needed, on the embedded
# PostgreSQL) and `make test` (the whole suite, starting a PostgreSQL if DATABASE_URL is unset).
.PHONY: run serve test build migrate bench

run:
	go run ./cmd/umkmbot chat

serve:
	go run ./cmd/umkmbot serve

migrate:
	go run ./cmd/umkmbot migrate

build:
	CGO_ENABLED=0 go build -trimpath -o umkmbot ./cmd/umkmbot

test:
	bash .ci/test

bench:
	BENCH=1 bash .ci/test
