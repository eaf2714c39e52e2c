# Two commands matter: `make run` (the bot in a terminal, no token needed, on the embedded
# PostgreSQL) and `make test` (the whole suite, starting a PostgreSQL if DATABASE_URL is unset).
.PHONY: run serve test build image migrate bench loadtest mutate

# The version stamped into the binary (umkmbot version): the git description of the checkout.
# Outside a checkout it is empty, and the binary names what Go's build information knows.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null)

run:
	go run ./cmd/umkmbot chat

serve:
	go run ./cmd/umkmbot serve

migrate:
	go run ./cmd/umkmbot migrate

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=$(VERSION)" -o umkmbot ./cmd/umkmbot

# The container image, stamped with the same version (the build context has no .git to ask).
image:
	docker build --build-arg VERSION=$(VERSION) -t umkmbot:$(or $(VERSION),latest) .

test:
	bash .ci/test

bench:
	BENCH=1 bash .ci/test

# By hand, not in CI: each deliberate bug of .ci/mutations.txt, one at a time, must make a test
# fail; docs/MUTATION.md keeps the latest result. `make mutate M="name ..."` runs only those.
mutate:
	bash .ci/mutate $(M)

# The load benchmark of issue 7 (docs/PERFORMANCE.md): serve against a fake Telegram with 200
# simulated owners, on a fresh embedded PostgreSQL (or DATABASE_URL). Other sizes:
# make loadtest LOADTEST="-owners 1000", or LOADTEST="-owners 20 -broadcast 100000 -duration 2m".
LOADTEST ?= -owners 200
loadtest:
	go run ./cmd/umkmbot bench $(LOADTEST)
