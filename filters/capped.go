package filters

import (
	"errors"
	"fmt"
	"io"
)

// initialGuess returns the first capacity to try for the output of a stream
// decoder whose decoded size is not recorded: a multiple of the input size,
// at least 4 KiB, never above limit. Output then grows gradually, so a small
// hostile input cannot make the decoder allocate limit bytes up front.
func initialGuess(srcLen, limit int) int {
	g := 4096
	if srcLen <= (1<<30)/4 && srcLen*4 > g {
		g = srcLen * 4
	}
	if g > limit {
		g = limit
	}
	if g < 0 {
		g = 0
	}
	return g
}

// readCapped appends everything r yields to dst[:0], growing the buffer
// gradually from hint, and fails with ErrTooLarge as soon as more than limit
// bytes are produced. It reads r to io.EOF, so stream checksums (zlib's
// adler32, bzip2's CRCs) are verified.
func readCapped(dst []byte, r io.Reader, limit, hint int) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	out := dst[:0]
	if cap(out) > limit {
		out = out[:0:limit]
	}
	if cap(out) < hint {
		out = make([]byte, 0, hint)
	}
	for {
		if len(out) == cap(out) {
			if len(out) >= limit {
				// Output is full: anything more is over the limit.
				var one [1]byte
				n, err := io.ReadFull(r, one[:])
				if n > 0 {
					return nil, ErrTooLarge
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return out, nil
				}
				return nil, wrapStreamErr(err)
			}
			newCap := 2 * cap(out)
			if newCap < 4096 {
				newCap = 4096
			}
			if newCap > limit || newCap < 0 {
				newCap = limit
			}
			grown := make([]byte, len(out), newCap)
			copy(grown, out)
			out = grown
		}
		n, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, wrapStreamErr(err)
		}
	}
}

// wrapStreamErr maps a codec's error onto the package's sentinels.
func wrapStreamErr(err error) error {
	if errors.Is(err, ErrChecksum) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTooLarge) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated stream", ErrCorrupt)
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// growTo returns dst[:n], reallocating only when dst's capacity is short.
// The caller has already checked n against its limit.
func growTo(dst []byte, n int) []byte {
	if cap(dst) >= n {
		return dst[:n]
	}
	return make([]byte, n)
}
