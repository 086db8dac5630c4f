package heap

import (
	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/internal/binfmt"
)

// hugeIndex is the v2 B-tree that maps huge object IDs to their storage
// (record type 1 for unfiltered heaps, 2 for filtered ones).
type hugeIndex struct {
	tree *btree.V2
}

// hugeLoc is where a huge object lives and how it was stored.
type hugeLoc struct {
	addr, length uint64
	filtered     bool
	mask         uint32
	memSize      uint64
}

// getHuge returns a huge object: one stored outside the managed blocks,
// located directly by its heap ID (B-tree record types 3 and 4 describe the
// same fields) or through the heap's huge-object v2 B-tree (types 1 and 2).
//
// Spec 3.0, III.G "Fractal Heap ID" (huge objects) and III.A.2 "Version 2
// B-trees", record types 1-4 (H5.format.html#V2Btrees).
func (f *Fractal) getHuge(id []byte) ([]byte, error) {
	const what = "fractal heap ID"
	var loc hugeLoc
	filtered := f.Pipeline != nil
	if f.hugeDirect {
		c := binfmt.NewCursor(id, f.src.Sizes, f.Addr, what)
		c.Skip(1)
		loc.addr = c.Offset()
		loc.length = c.Length()
		if filtered {
			loc.filtered = true
			loc.mask = c.Uint32()
			loc.memSize = c.Length()
		}
		if err := c.Err(); err != nil {
			return nil, err
		}
	} else {
		if len(id) < 1+f.hugeIDSize {
			return nil, binfmt.Errorf(f.Addr, what, "huge heap ID of %d bytes, need %d", len(id), 1+f.hugeIDSize)
		}
		c := binfmt.NewCursor(id, f.src.Sizes, f.Addr, what)
		c.Skip(1)
		key := c.UintN(f.hugeIDSize)
		if err := c.Err(); err != nil {
			return nil, err
		}
		var err error
		loc, err = f.findHuge(key)
		if err != nil {
			return nil, err
		}
	}
	return f.readHuge(loc)
}

// findHuge searches the huge-object B-tree for the object with ID key.
func (f *Fractal) findHuge(key uint64) (hugeLoc, error) {
	f.hugeOnce.Do(func() {
		if f.HugeBTreeAddr == binfmt.Undef {
			f.hugeErr = binfmt.Errorf(f.Addr, "fractal heap header", "huge object ID but no huge-object B-tree")
			return
		}
		t, err := btree.OpenV2(f.src, f.HugeBTreeAddr)
		if err != nil {
			f.hugeErr = err
			return
		}
		want := uint8(1)
		if f.Pipeline != nil {
			want = 2
		}
		if t.Type != want {
			f.hugeErr = binfmt.Errorf(f.HugeBTreeAddr, "fractal heap huge-object B-tree", "record type %d, want %d", t.Type, want)
			return
		}
		f.hugeTree.tree = t
	})
	if f.hugeErr != nil {
		return hugeLoc{}, f.hugeErr
	}
	t := f.hugeTree.tree
	sizes := f.src.Sizes
	var decErr error
	rec, ok, err := t.Search(func(rec []byte) int {
		r, err := btree.DecodeHugeObject(rec, t.Type, sizes)
		if err != nil {
			if decErr == nil {
				decErr = err
			}
			return 0
		}
		switch {
		case key < r.ID:
			return -1
		case key > r.ID:
			return 1
		}
		return 0
	})
	if decErr != nil {
		return hugeLoc{}, decErr
	}
	if err != nil {
		return hugeLoc{}, err
	}
	if !ok {
		return hugeLoc{}, binfmt.Wrap(f.HugeBTreeAddr, "fractal heap huge-object B-tree", binfmt.ErrNotFound, "huge object ID %d", key)
	}
	r, err := btree.DecodeHugeObject(rec, t.Type, sizes)
	if err != nil {
		return hugeLoc{}, err
	}
	return hugeLoc{addr: r.Addr, length: r.Length, filtered: t.Type == 2, mask: r.FilterMask, memSize: r.MemSize}, nil
}

// readHuge reads (and, in a filtered heap, decodes) a huge object.
func (f *Fractal) readHuge(loc hugeLoc) ([]byte, error) {
	const what = "fractal heap huge object"
	if !loc.filtered {
		if err := f.limit(loc.length, loc.addr); err != nil {
			return nil, err
		}
		return f.src.ReadAt(loc.addr, loc.length, what)
	}
	if err := f.limit(loc.memSize, loc.addr); err != nil {
		return nil, err
	}
	if loc.memSize > 1<<62 {
		return nil, binfmt.Errorf(loc.addr, what, "decoded size %d", loc.memSize)
	}
	raw, err := f.src.ReadAt(loc.addr, loc.length, what)
	if err != nil {
		return nil, err
	}
	out, _, _, err := f.Pipeline.Decode(raw, loc.mask, int(loc.memSize), nil, nil)
	if err != nil {
		return nil, binfmt.Wrap(loc.addr, what, err, "decoding filtered object")
	}
	if uint64(len(out)) != loc.memSize {
		return nil, binfmt.Errorf(loc.addr, what, "filtered object decodes to %d bytes, want %d", len(out), loc.memSize)
	}
	return append([]byte(nil), out...), nil
}
