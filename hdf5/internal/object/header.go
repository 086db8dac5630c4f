package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// MsgType is a header message type number.
// Spec 3.0, IV.A.2 "Header Messages" (H5.format.html#ObjectHeaderMessages).
type MsgType uint16

// Header message types, named after the spec's sections IV.A.2.a to IV.A.2.x.
const (
	MsgNil            MsgType = 0x0000 // IV.A.2.a "The NIL Message"
	MsgDataspace      MsgType = 0x0001 // IV.A.2.b "The Dataspace Message"
	MsgLinkInfo       MsgType = 0x0002 // IV.A.2.c "The Link Info Message"
	MsgDatatype       MsgType = 0x0003 // IV.A.2.d "The Datatype Message"
	MsgFillOld        MsgType = 0x0004 // IV.A.2.e "The Data Storage - Fill Value (Old) Message"
	MsgFill           MsgType = 0x0005 // IV.A.2.f "The Data Storage - Fill Value Message"
	MsgLink           MsgType = 0x0006 // IV.A.2.g "The Link Message"
	MsgExternal       MsgType = 0x0007 // IV.A.2.h "The Data Storage - External Data Files Message"
	MsgLayout         MsgType = 0x0008 // IV.A.2.i "The Data Storage - Layout Message"
	MsgBogus          MsgType = 0x0009 // IV.A.2.j "The Bogus Message"
	MsgGroupInfo      MsgType = 0x000A // IV.A.2.k "The Group Info Message"
	MsgFilterPipeline MsgType = 0x000B // IV.A.2.l "The Data Storage - Filter Pipeline Message"
	MsgAttribute      MsgType = 0x000C // IV.A.2.m "The Attribute Message"
	MsgComment        MsgType = 0x000D // IV.A.2.n "The Object Comment Message"
	MsgModTimeOld     MsgType = 0x000E // IV.A.2.o "The Object Modification Time (Old) Message"
	MsgSOHMTable      MsgType = 0x000F // IV.A.2.p "The Shared Message Table Message"
	MsgContinuation   MsgType = 0x0010 // IV.A.2.q "The Object Header Continuation Message"
	MsgSymbolTable    MsgType = 0x0011 // IV.A.2.r "The Symbol Table Message"
	MsgModTime        MsgType = 0x0012 // IV.A.2.s "The Object Modification Time Message"
	MsgBTreeK         MsgType = 0x0013 // IV.A.2.t "The B-tree 'K' Values Message"
	MsgDriverInfo     MsgType = 0x0014 // IV.A.2.u "The Driver Info Message"
	MsgAttrInfo       MsgType = 0x0015 // IV.A.2.v "The Attribute Info Message"
	MsgRefCount       MsgType = 0x0016 // IV.A.2.w "The Object Reference Count Message"
	MsgFSInfo         MsgType = 0x0017 // IV.A.2.x "The File Space Info Message" (kept as *Unknown)

	// msgFirstUnknown is the first type libhdf5 1.10 does not know
	// (H5O_UNKNOWN_ID); only such types are subject to the "fail if unknown"
	// flags.
	msgFirstUnknown MsgType = 0x0018
)

var msgNames = [...]string{
	"NIL", "dataspace", "link info", "datatype", "fill value (old)", "fill value",
	"link", "external data files", "data layout", "bogus", "group info",
	"filter pipeline", "attribute", "object comment", "modification time (old)",
	"shared message table", "continuation", "symbol table", "modification time",
	"B-tree 'K' values", "driver info", "attribute info", "reference count",
	"file space info",
}

// String returns the spec's name of the message type.
func (t MsgType) String() string {
	if int(t) < len(msgNames) {
		return msgNames[t]
	}
	return "unknown message type"
}

// Header message flags (Spec 3.0, IV.A.1.a "Version 1 Object Header",
// "Header Message Flags").
const (
	FlagConstant          = 1 << 0 // message is constant
	FlagShared            = 1 << 1 // message is shared; its body is a shared message encoding
	FlagDontShare         = 1 << 2 // message must not be shared
	FlagFailIfUnknownW    = 1 << 3 // fail if unknown and the file is opened for writing
	FlagMarkIfUnknown     = 1 << 4 // set bit 5 if unknown and opened for writing
	FlagWasUnknown        = 1 << 5 // written by software that did not know the type
	FlagShareable         = 1 << 6 // message may be shared
	FlagFailIfUnknownAlws = 1 << 7 // fail if unknown, always
)

// Header flags of a version 2 object header (Spec 3.0, IV.A.1.b).
const (
	HdrChunk0SizeMask     = 0x03 // bits 0-1: width of "Size of Chunk #0"
	HdrAttrOrderTracked   = 0x04 // attribute (and message) creation order tracked
	HdrAttrOrderIndexed   = 0x08 // attribute creation order indexed
	HdrAttrPhaseChange    = 0x10 // non-default attribute phase change values stored
	HdrTimesStored        = 0x20 // access, modification, change and birth times stored
	hdrKnownFlags         = 0x3f
	DefaultMaxCompactAttr = 8 // libhdf5's default "Maximum # of compact attributes"
	DefaultMinDenseAttr   = 6 // libhdf5's default "Minimum # of dense attributes"
)

// Default limits used when a Limits field is zero.
const (
	DefaultMaxMessages      = 65536
	DefaultMaxContinuations = 4096
)

// Limits caps the work ReadHeader does for one object header. A zero field
// takes its default (DefaultMaxMessages, DefaultMaxContinuations). Hitting a
// limit returns a *binfmt.LimitError.
type Limits struct {
	MaxMessages      int // messages over all chunks, NIL messages included
	MaxContinuations int // continuation blocks followed
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessages <= 0 {
		l.MaxMessages = DefaultMaxMessages
	}
	if l.MaxContinuations <= 0 {
		l.MaxContinuations = DefaultMaxContinuations
	}
	return l
}

// Header is a decoded object header.
// Spec 3.0, IV.A.1 "Object Header" (H5.format.html#ObjectHeader).
type Header struct {
	Addr    uint64 // file address of the header
	Version int    // 1 or 2
	Flags   uint8  // version 2 header flags (Hdr* constants); 0 for version 1
	// RefCount is the object reference count of a version 1 header. For
	// version 2 headers it is 1 unless a reference count message says more.
	RefCount uint32
	// Access, Mod, Change and Birth are the version 2 prefix times
	// (seconds since the epoch), zero unless HdrTimesStored is set.
	Access, Mod, Change, Birth uint32
	// MaxCompact and MinDense are the attribute phase change values: from
	// the version 2 prefix when HdrAttrPhaseChange is set, else libhdf5's
	// defaults (8 and 6).
	MaxCompact, MinDense uint16
	// Messages lists the header's messages in file order over all chunks
	// (continuation chunks in the order they were met). NIL messages are
	// left out.
	Messages []Message
	// Chunks is the number of chunks (the first plus continuation blocks).
	Chunks int

	nils int // NIL messages met (they are not in Messages)
}

// Message is one header message.
type Message struct {
	Type          MsgType
	Flags         uint8  // Flag* bits
	CreationOrder uint16 // version 2 headers with HdrAttrOrderTracked only
	Addr          uint64 // file address of the message body
	Raw           []byte // the message body as stored
	// Shared is set when the message is shared (FlagShared); Value is then nil.
	Shared *SharedRef
	// Value is the decoded body: one of the types listed at DecodeMessage.
	// It is nil when Shared is set or when Err is set.
	Value any
	// Err is the error met decoding this message's body, if any. A body
	// that cannot be decoded (for example an attribute with a datatype goh5
	// does not support) does not make the whole header unreadable; the
	// caller decides when it needs the message.
	Err error
}

// Find returns the first message of type t, or nil.
func (h *Header) Find(t MsgType) *Message {
	for i := range h.Messages {
		if h.Messages[i].Type == t {
			return &h.Messages[i]
		}
	}
	return nil
}

// FindAll returns every message of type t, in header order.
func (h *Header) FindAll(t MsgType) []*Message {
	var out []*Message
	for i := range h.Messages {
		if h.Messages[i].Type == t {
			out = append(out, &h.Messages[i])
		}
	}
	return out
}

// ReadHeader reads and decodes the object header at addr, following its
// continuation messages. The version is told by the "OHDR" signature
// (version 2) or the leading version byte 1. Version 2 chunks have their
// checksums verified; a mismatch wraps binfmt.ErrChecksum.
func ReadHeader(src *binfmt.Source, addr uint64, lim Limits) (*Header, error) {
	if src == nil {
		return nil, binfmt.Errorf(addr, "object header", "no source")
	}
	if !src.Sizes.Valid() {
		return nil, binfmt.Errorf(addr, "object header", "invalid sizes of offsets/lengths %d/%d", src.Sizes.Offsets, src.Sizes.Lengths)
	}
	lim = lim.withDefaults()
	peek, err := src.ReadUpTo(addr, 4, "object header")
	if err != nil {
		return nil, err
	}
	r := &headerReader{src: src, lim: lim, visited: map[uint64]bool{addr: true}}
	var h *Header
	switch {
	case len(peek) == 4 && string(peek) == "OHDR":
		h, err = r.readV2(addr)
	case len(peek) >= 1 && peek[0] == 1:
		h, err = r.readV1(addr)
	case len(peek) >= 1:
		return nil, binfmt.Unsupported(addr, "object header version %d", peek[0])
	default:
		return nil, binfmt.Errorf(addr, "object header", "empty")
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

// chunkRef is a continuation target still to read.
type chunkRef struct{ addr, length uint64 }

type headerReader struct {
	src     *binfmt.Source
	lim     Limits
	visited map[uint64]bool
	nmsgs   int
	bytes   uint64 // chunk bytes read so far
	pending []chunkRef
	h       *Header
}

// addMessage checks flags, decodes the body and appends it to the header.
// Continuation targets are queued.
func (r *headerReader) addMessage(t MsgType, flags uint8, order uint16, body []byte, addr uint64) error {
	r.nmsgs++
	if r.nmsgs > r.lim.MaxMessages {
		return &binfmt.LimitError{Name: "MaxMessages", Limit: int64(r.lim.MaxMessages), Addr: addr}
	}
	// Flag combinations libhdf5 rejects (H5O__chunk_deserialize).
	if flags&FlagShared != 0 && flags&FlagDontShare != 0 {
		return binfmt.Errorf(addr, "object header message", "bad flag combination 0x%02x (shared and do-not-share)", flags)
	}
	if flags&FlagWasUnknown != 0 && flags&FlagFailIfUnknownW != 0 {
		return binfmt.Errorf(addr, "object header message", "bad flag combination 0x%02x (was-unknown and fail-if-unknown)", flags)
	}
	if flags&FlagWasUnknown != 0 && flags&FlagMarkIfUnknown == 0 {
		return binfmt.Errorf(addr, "object header message", "bad flag combination 0x%02x (was-unknown without mark-if-unknown)", flags)
	}
	if t >= msgFirstUnknown && flags&FlagFailIfUnknownAlws != 0 {
		return binfmt.Unsupported(addr, "object header message type %d flagged fail-if-unknown", t)
	}
	if t == MsgNil {
		r.h.nils++
		return nil
	}
	m := Message{Type: t, Flags: flags, CreationOrder: order, Addr: addr, Raw: body}
	switch {
	case t >= msgFirstUnknown || t == MsgFSInfo:
		m.Value = &Unknown{Type: t, Flags: flags, Raw: body}
	case flags&FlagShared != 0:
		ref, err := DecodeShared(body, r.src.Sizes, addr)
		if err != nil {
			m.Err = err
		} else {
			m.Shared = ref
		}
	default:
		v, err := DecodeMessage(t, body, r.src.Sizes, addr)
		if err != nil {
			m.Err = err
		} else {
			m.Value = v
		}
	}
	if t == MsgContinuation {
		c, ok := m.Value.(*Continuation)
		if !ok {
			if m.Err != nil {
				return m.Err
			}
			return binfmt.Errorf(addr, "continuation message", "shared continuation message")
		}
		if len(r.pending)+r.h.Chunks > r.lim.MaxContinuations {
			return &binfmt.LimitError{Name: "MaxContinuations", Limit: int64(r.lim.MaxContinuations), Addr: addr}
		}
		if c.Length == 0 || c.Addr == binfmt.Undef {
			return binfmt.Errorf(addr, "continuation message", "empty or undefined continuation block (addr 0x%x, length %d)", c.Addr, c.Length)
		}
		if r.visited[c.Addr] {
			return binfmt.Errorf(addr, "continuation message", "continuation block at 0x%x already visited (cycle)", c.Addr)
		}
		r.visited[c.Addr] = true
		r.pending = append(r.pending, chunkRef{c.Addr, c.Length})
	}
	r.h.Messages = append(r.h.Messages, m)
	return nil
}

// followContinuations reads the queued continuation blocks with read, which
// parses one block and may queue more.
func (r *headerReader) followContinuations(read func(chunkRef) error) error {
	for len(r.pending) > 0 {
		c := r.pending[0]
		r.pending = r.pending[1:]
		r.h.Chunks++
		if r.h.Chunks-1 > r.lim.MaxContinuations {
			return &binfmt.LimitError{Name: "MaxContinuations", Limit: int64(r.lim.MaxContinuations), Addr: c.addr}
		}
		// Chunks of a valid header are disjoint, so together they cannot
		// exceed the file; this bounds the memory a hostile chain of
		// continuations (each naming most of the file) can cost.
		r.bytes += c.length
		if r.bytes > uint64(r.src.Size) {
			return binfmt.Errorf(c.addr, "object header", "continuation blocks total %d bytes, more than the file's %d", r.bytes, r.src.Size)
		}
		if err := read(c); err != nil {
			return err
		}
	}
	return nil
}
