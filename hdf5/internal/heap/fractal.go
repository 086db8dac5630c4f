package heap

import (
	"math/bits"
	"sync"

	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/internal/binfmt"
)

// Header flag bits (Spec 3.0, III.G "Fractal Heap Header", Flags).
const (
	flagHugeIDsWrapped   = 1 << 0
	flagChecksumDirect   = 1 << 1
	maxDirectBlockLimit  = 1 << 31 // libhdf5's H5HF_MAX_DIRECT_SIZE_LIMIT
	maxFilteredBlockSize = 64 << 20
	maxIndirectDepth     = 16
	tinyShortMax         = 16 // libhdf5's H5HF_TINY_LEN_SHORT
)

// Heap ID types, bits 4-5 of the ID's first byte.
const (
	idManaged = 0
	idHuge    = 1
	idTiny    = 2
)

// Fractal is an open fractal heap. Its exported fields are the header as
// stored in the file. It is safe for concurrent use.
//
// Spec 3.0, III.G "Disk Format: Level 1G - Fractal Heap" (H5.format.html#FractalHeap).
type Fractal struct {
	Addr            uint64
	HeapIDLen       uint16
	FilterLen       uint16
	Flags           uint8
	MaxManagedSize  uint32
	NextHugeID      uint64
	HugeBTreeAddr   uint64
	FreeSpace       uint64
	FreeSpaceAddr   uint64
	ManagedSpace    uint64
	ManagedAlloc    uint64
	IterOffset      uint64
	ManagedObjects  uint64
	HugeSize        uint64
	HugeObjects     uint64
	TinySize        uint64
	TinyObjects     uint64
	TableWidth      uint16
	StartBlockSize  uint64
	MaxDirectSize   uint64
	MaxHeapBits     uint16 // maximum heap size, as a number of bits
	StartRootRows   uint16
	RootAddr        uint64 // root direct block (RootRows == 0) or root indirect block
	RootRows        uint16 // current number of rows in the root indirect block
	RootFilteredLen uint64 // filtered size of a root direct block (filtered heaps)
	RootFilterMask  uint32
	Pipeline        filters.Pipeline // nil when the heap has no I/O filters

	src       *binfmt.Source
	maxObject uint64

	// doubling table arithmetic (Spec III.G "doubling table")
	startBits     int // log2(StartBlockSize)
	widthBits     int // log2(TableWidth)
	firstRowBits  int // startBits + widthBits
	maxDirectRows int // rows of direct blocks in any indirect block
	maxRootRows   int
	offSize       int // bytes of a heap offset (block offsets, managed IDs)
	lenSize       int // bytes of a managed object length in an ID
	dblockHdr     int // direct block header bytes

	hugeDirect bool // huge object IDs carry address and length
	hugeIDSize int  // bytes of a huge object ID otherwise
	tinyExt    bool // tiny IDs use the extended (2-byte) length

	cache *blockCache

	hugeOnce sync.Once
	hugeTree hugeIndex
	hugeErr  error
}

// OpenFractal reads and checks the fractal heap header at addr. Objects larger
// than maxObject bytes fail with a LimitError named "MaxHeapObject".
func OpenFractal(src *binfmt.Source, addr uint64, maxObject uint64) (*Fractal, error) {
	const what = "fractal heap header"
	sizes := src.Sizes
	if !sizes.Valid() {
		return nil, binfmt.Errorf(addr, what, "invalid sizes of offsets/lengths %d/%d", sizes.Offsets, sizes.Lengths)
	}
	O, L := sizes.Offsets, sizes.Lengths
	pre, err := src.Cursor(addr, 9, what)
	if err != nil {
		return nil, err
	}
	pre.Signature("FRHP")
	pre.Version(0)
	pre.Uint16()
	filterLen := pre.Uint16()
	if err := pre.Err(); err != nil {
		return nil, err
	}
	size := 9 + 1 + 4 + L + O + L + O + 8*L + 2 + L + L + 2 + 2 + O + 2 + 4
	if filterLen > 0 {
		size += L + 4 + int(filterLen)
	}
	c, err := src.Cursor(addr, uint64(size), what)
	if err != nil {
		return nil, err
	}
	f := &Fractal{Addr: addr, src: src, maxObject: maxObject}
	c.Signature("FRHP")
	c.Version(0)
	f.HeapIDLen = c.Uint16()
	f.FilterLen = c.Uint16()
	f.Flags = c.Uint8()
	f.MaxManagedSize = c.Uint32()
	f.NextHugeID = c.Length()
	f.HugeBTreeAddr = c.Offset()
	f.FreeSpace = c.Length()
	f.FreeSpaceAddr = c.Offset()
	f.ManagedSpace = c.Length()
	f.ManagedAlloc = c.Length()
	f.IterOffset = c.Length()
	f.ManagedObjects = c.Length()
	f.HugeSize = c.Length()
	f.HugeObjects = c.Length()
	f.TinySize = c.Length()
	f.TinyObjects = c.Length()
	f.TableWidth = c.Uint16()
	f.StartBlockSize = c.Length()
	f.MaxDirectSize = c.Length()
	f.MaxHeapBits = c.Uint16()
	f.StartRootRows = c.Uint16()
	f.RootAddr = c.Offset()
	f.RootRows = c.Uint16()
	var pipeRaw []byte
	var pipeAt uint64
	if f.FilterLen > 0 {
		f.RootFilteredLen = c.Length()
		f.RootFilterMask = c.Uint32()
		pipeAt = c.Addr()
		pipeRaw = c.Bytes(int(f.FilterLen))
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	if pipeRaw != nil {
		p, err := decodePipeline(pipeRaw, sizes, pipeAt)
		if err != nil {
			return nil, err
		}
		f.Pipeline = p
	}
	if err := f.init(); err != nil {
		return nil, err
	}
	return f, nil
}

// init checks the doubling table parameters and derives the values that
// locate blocks and decode heap IDs, as libhdf5 does when it loads a header
// (H5HF__hdr_finish_init, H5HF__dtable_init, H5HF__huge_init, H5HF__tiny_init).
func (f *Fractal) init() error {
	const what = "fractal heap header"
	bad := func(format string, args ...any) error { return binfmt.Errorf(f.Addr, what, format, args...) }
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	O, L := f.src.Sizes.Offsets, f.src.Sizes.Lengths
	switch {
	case f.HeapIDLen == 0:
		return bad("heap ID length is 0")
	case !pow2(uint64(f.TableWidth)):
		return bad("doubling table width %d is not a power of two", f.TableWidth)
	case !pow2(f.StartBlockSize):
		return bad("starting block size %d is not a power of two", f.StartBlockSize)
	case !pow2(f.MaxDirectSize) || f.MaxDirectSize > maxDirectBlockLimit:
		return bad("maximum direct block size %d is not a power of two up to 2 GiB", f.MaxDirectSize)
	case f.MaxDirectSize < f.StartBlockSize:
		return bad("maximum direct block size %d is below the starting block size %d", f.MaxDirectSize, f.StartBlockSize)
	case f.MaxHeapBits == 0 || f.MaxHeapBits > 64:
		return bad("maximum heap size of %d bits", f.MaxHeapBits)
	}
	f.startBits = bits.TrailingZeros64(f.StartBlockSize)
	f.widthBits = bits.TrailingZeros16(f.TableWidth)
	f.firstRowBits = f.startBits + f.widthBits
	if f.firstRowBits > int(f.MaxHeapBits) {
		return bad("first row of %d bits exceeds the maximum heap size of %d bits", f.firstRowBits, f.MaxHeapBits)
	}
	maxDirectBits := bits.TrailingZeros64(f.MaxDirectSize)
	f.maxDirectRows = maxDirectBits - f.startBits + 2
	f.maxRootRows = int(f.MaxHeapBits) - f.firstRowBits + 1
	if int(f.RootRows) > f.maxRootRows {
		return bad("root indirect block has %d rows, at most %d allowed", f.RootRows, f.maxRootRows)
	}
	f.offSize = (int(f.MaxHeapBits) + 7) / 8
	f.lenSize = (maxDirectBits + 7) / 8
	if f.MaxManagedSize > 0 {
		if n := (bits.Len32(f.MaxManagedSize)-1)/8 + 1; n < f.lenSize {
			f.lenSize = n
		}
	}
	f.dblockHdr = 4 + 1 + O + f.offSize
	if f.Flags&flagChecksumDirect != 0 {
		f.dblockHdr += 4
	}
	if uint64(f.dblockHdr) >= f.StartBlockSize {
		return bad("starting block size %d cannot hold a direct block header", f.StartBlockSize)
	}

	idl := int(f.HeapIDLen) - 1
	if f.FilterLen > 0 {
		f.hugeDirect = idl >= O+L+4+L
	} else {
		f.hugeDirect = idl >= O+L
	}
	if !f.hugeDirect {
		f.hugeIDSize = min(idl, 8)
	}
	f.tinyExt = idl > tinyShortMax
	f.cache = newBlockCache(blockCacheBytes)
	return nil
}

// IDLen returns the length in bytes of this heap's IDs.
func (f *Fractal) IDLen() int { return int(f.HeapIDLen) }

// Get returns a copy of the object that heap ID id names: a managed object
// read from its direct block, a tiny object held in the ID, or a huge object
// stored on its own (found through the huge-object B-tree unless the ID holds
// its address).
//
// Spec 3.0, III.G "Fractal Heap ID" (H5.format.html#FractalHeap).
func (f *Fractal) Get(id []byte) ([]byte, error) {
	if len(id) == 0 {
		return nil, binfmt.Errorf(f.Addr, "fractal heap ID", "empty heap ID")
	}
	if v := id[0] >> 6; v != 0 {
		return nil, binfmt.Unsupported(f.Addr, "fractal heap ID version %d", v)
	}
	switch typ := (id[0] >> 4) & 3; typ {
	case idManaged:
		return f.getManaged(id)
	case idTiny:
		return f.getTiny(id)
	case idHuge:
		return f.getHuge(id)
	default:
		return nil, binfmt.Errorf(f.Addr, "fractal heap ID", "unknown heap ID type %d", typ)
	}
}

func (f *Fractal) limit(n uint64, addr uint64) error {
	if n > f.maxObject {
		return &binfmt.LimitError{Name: "MaxHeapObject", Limit: int64(min(f.maxObject, 1<<62)), Want: int64(min(n, 1<<62)), Addr: addr}
	}
	return nil
}

// getTiny returns an object stored in the heap ID itself.
//
// Spec 3.0, III.G "Fractal Heap ID", tiny objects (normal and extended forms).
func (f *Fractal) getTiny(id []byte) ([]byte, error) {
	var n, at int
	if !f.tinyExt {
		n, at = int(id[0]&0x0f)+1, 1
	} else {
		if len(id) < 2 {
			return nil, binfmt.Errorf(f.Addr, "fractal heap ID", "tiny heap ID of %d bytes", len(id))
		}
		n, at = (int(id[0]&0x0f)<<8|int(id[1]))+1, 2
	}
	if at+n > len(id) {
		return nil, binfmt.Errorf(f.Addr, "fractal heap ID", "tiny object of %d bytes in a %d-byte heap ID", n, len(id))
	}
	if err := f.limit(uint64(n), f.Addr); err != nil {
		return nil, err
	}
	return append([]byte(nil), id[at:at+n]...), nil
}
