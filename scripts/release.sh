#!/bin/sh
# Build static goh5 release binaries into dist/goh5-OS-ARCH[.exe], with
# dist/SHA256SUMS (run from anywhere in the repository):
#
#   scripts/release.sh            # the four release platforms
#   scripts/release.sh linux/amd64 # only the named ones
#
# Each binary is pure Go (CGO_ENABLED=0), built with -trimpath, stripped,
# and stamped with the version from `git describe`, which `goh5 version`
# prints. Set VERSION to override it.
set -eu

cd "$(dirname "$0")/.."
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
PLATFORMS=${*:-"linux/amd64 linux/arm64 darwin/arm64 windows/amd64"}
mkdir -p dist

for p in $PLATFORMS; do
	os=${p%/*}
	arch=${p#*/}
	out=dist/goh5-$os-$arch
	[ "$os" = windows ] && out=$out.exe
	echo "building $out"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
		-ldflags "-s -w -X main.version=$VERSION" -o "$out" ./cmd/goh5
done

if command -v sha256sum >/dev/null 2>&1; then
	(cd dist && for p in $PLATFORMS; do
		f=goh5-${p%/*}-${p#*/}
		[ "${p%/*}" = windows ] && f=$f.exe
		echo "$f"
	done | xargs sha256sum > SHA256SUMS)
fi
