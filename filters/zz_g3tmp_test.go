package filters

import (
	"bytes"
	"encoding/binary"
	"compress/zlib"
	"github.com/klauspost/compress/zstd"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestG3TmpTiming(t *testing.T) {
	dir := os.Getenv("G3DIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	type r struct {
		d    time.Duration
		name string
		n    int
	}
	var rs []r
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		lines := strings.Split(string(b), "\n")
		l := lines[1]
		l = strings.TrimSuffix(strings.TrimPrefix(l, "[]byte("), ")")
		s, err := strconv.Unquote(l)
		if err != nil {
			t.Fatal(fn, err)
		}
		src := []byte(s)
		best := time.Hour
		for i := 0; i < 7; i++ {
			t0 := time.Now()
			bloscFilter{}.Decode(nil, src, nil, 1<<20)
			best = min(best, time.Since(t0))
		}
		rs = append(rs, r{best, filepath.Base(fn), len(src)})
		if best > 2*time.Millisecond {
			c, err := bloscParseHeader(src, 1<<20, false)
			if err == nil {
				_, derr := bloscFilter{}.Decode(nil, src, nil, 1<<20)
				t.Logf("%s ver %d flags %#x fmt %d ts %d nbytes %d bs %d cb %d nblocks %d err %v", filepath.Base(fn), c.version, c.flags, c.format, c.typesize, c.nbytes, c.blocksize, c.cbytes, c.nblocks, derr)
			}
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].d > rs[j].d })
	for _, x := range rs[:min(10, len(rs))] {
		t.Log(x.d, x.name, x.n)
	}
}

func g3Hostile(format int, split bool, stream func() []byte) []byte {
	const ts = 255
	nbytes := 1 << 20
	bs := ts
	if !split {
		bs = 1
	}
	nblocks := (nbytes + bs - 1) / bs
	var streams []byte
	ns := ts
	if !split {
		ns = 1
	}
	for j := 0; j < ns; j++ {
		s := stream()
		streams = binary.LittleEndian.AppendUint32(streams, uint32(len(s)))
		streams = append(streams, s...)
	}
	flags := byte(format<<5) | 0 // split unless dontsplit
	if !split {
		flags |= bloscFlagDontSplit
	}
	h := []byte{2, 1, flags, ts}
	start := 16 + 4*nblocks
	total := start + len(streams)
	h = binary.LittleEndian.AppendUint32(h, uint32(nbytes))
	h = binary.LittleEndian.AppendUint32(h, uint32(bs))
	h = binary.LittleEndian.AppendUint32(h, uint32(total))
	for i := 0; i < nblocks; i++ {
		h = binary.LittleEndian.AppendUint32(h, uint32(start))
	}
	return append(h, streams...)
}

func TestG3Hostile(t *testing.T) {
	one := func() []byte {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write([]byte{7})
		w.Close()
		return b.Bytes()
	}
	zs := func() []byte {
		e, _ := zstd.NewWriter(nil)
		return e.EncodeAll([]byte{7}, nil)
	}
	lz := func() []byte { return []byte{0x10, 7} }
	for _, c := range []struct {
		name   string
		format int
		split  bool
		s      func() []byte
	}{{"zlib-split", bloscFormatZlib, true, one}, {"zlib-nosplit", bloscFormatZlib, false, one}, {"zstd-split", bloscFormatZstd, true, zs}, {"lz4-split", bloscFormatLZ4, true, lz}} {
		src := g3Hostile(c.format, c.split, c.s)
		t0 := time.Now()
		out, err := bloscFilter{}.Decode(nil, src, nil, 1<<20)
		t.Logf("%s: %d bytes in -> %d out, %v, err %v", c.name, len(src), len(out), time.Since(t0), err)
	}
}
