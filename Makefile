# goh5: `make test` runs the tests, `make release` builds the static
# binaries of scripts/release.sh into dist/.

.PHONY: all build test vet release clean

all: build

build:
	mkdir -p dist && go build -o dist/goh5 ./cmd/goh5

test:
	go test ./...

vet:
	go vet ./...

release:
	scripts/release.sh

clean:
	rm -rf dist
