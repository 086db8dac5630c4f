package object

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

var sizes88 = binfmt.Sizes{Offsets: 8, Lengths: 8}

func memSource(b []byte) *binfmt.Source {
	return &binfmt.Source{R: bytes.NewReader(b), Size: int64(len(b)), Sizes: sizes88}
}

// v1Msg encodes a version 1 header message (Spec 3.0, IV.A.1.a): type (2),
// size (2), flags, reserved (3), body padded to 8 bytes.
func v1Msg(t MsgType, flags uint8, body []byte) []byte {
	n := align8(len(body))
	b := binary.LittleEndian.AppendUint16(nil, uint16(t))
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = append(b, flags, 0, 0, 0)
	b = append(b, body...)
	return append(b, make([]byte, n-len(body))...)
}

// v1Header encodes a version 1 prefix (16 bytes) followed by msgs.
func v1Header(nmesgs int, msgs ...[]byte) []byte {
	body := bytes.Join(msgs, nil)
	b := []byte{1, 0}
	b = binary.LittleEndian.AppendUint16(b, uint16(nmesgs))
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	b = append(b, 0, 0, 0, 0)
	return append(b, body...)
}

func contBody(addr, length uint64) []byte {
	b := binary.LittleEndian.AppendUint64(nil, addr)
	return binary.LittleEndian.AppendUint64(b, length)
}

// v2Header encodes an "OHDR" header with flags, the given message bytes and a
// gap, and its checksum.
func v2Header(flags uint8, msgs []byte, gap int) []byte {
	b := []byte("OHDR")
	b = append(b, 2, flags)
	if flags&HdrTimesStored != 0 {
		for _, v := range []uint32{1, 2, 3, 4} {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	if flags&HdrAttrPhaseChange != 0 {
		b = binary.LittleEndian.AppendUint16(b, 20)
		b = binary.LittleEndian.AppendUint16(b, 10)
	}
	size := len(msgs) + gap
	switch flags & 3 {
	case 0:
		b = append(b, byte(size))
	case 1:
		b = binary.LittleEndian.AppendUint16(b, uint16(size))
	case 2:
		b = binary.LittleEndian.AppendUint32(b, uint32(size))
	default:
		b = binary.LittleEndian.AppendUint64(b, uint64(size))
	}
	b = append(b, msgs...)
	b = append(b, make([]byte, gap)...)
	return binary.LittleEndian.AppendUint32(b, binfmt.Lookup3(b, 0))
}

func v2Msg(t MsgType, flags uint8, order int, body []byte) []byte {
	b := []byte{byte(t)}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(body)))
	b = append(b, flags)
	if order >= 0 {
		b = binary.LittleEndian.AppendUint16(b, uint16(order))
	}
	return append(b, body...)
}

func TestV1UnknownMessages(t *testing.T) {
	comment := []byte("hi\x00")
	for _, tc := range []struct {
		flags   uint8
		wantErr bool
	}{
		{0, false},
		{FlagFailIfUnknownW, false}, // read-only: only bit 7 fails
		{FlagMarkIfUnknown, false},
		{FlagFailIfUnknownAlws, true},
	} {
		b := v1Header(2, v1Msg(MsgComment, 0, comment), v1Msg(200, tc.flags, []byte{1, 2, 3}))
		h, err := ReadHeader(memSource(b), 0, Limits{})
		if tc.wantErr {
			var ue *binfmt.UnsupportedError
			if !errors.As(err, &ue) || h != nil {
				t.Errorf("flags %#x: got %v, %v; want an UnsupportedError", tc.flags, h, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("flags %#x: %v", tc.flags, err)
		}
		if len(h.Messages) != 2 {
			t.Fatalf("flags %#x: %d messages", tc.flags, len(h.Messages))
		}
		u, ok := h.Messages[1].Value.(*Unknown)
		if !ok || u.Type != 200 || u.Flags != tc.flags || !bytes.Equal(u.Raw[:3], []byte{1, 2, 3}) {
			t.Errorf("flags %#x: unknown message %+v", tc.flags, h.Messages[1].Value)
		}
		if c := h.Messages[0].Value.(*Comment); c.Text != "hi" {
			t.Errorf("comment %q", c.Text)
		}
	}
	// A known type with bit 7 set is decoded normally.
	b := v1Header(1, v1Msg(MsgComment, FlagFailIfUnknownAlws, comment))
	if _, err := ReadHeader(memSource(b), 0, Limits{}); err != nil {
		t.Error(err)
	}
	// Shared together with don't-share is rejected, as libhdf5 does.
	b = v1Header(1, v1Msg(MsgDatatype, FlagShared|FlagDontShare, make([]byte, 16)))
	if h, err := ReadHeader(memSource(b), 0, Limits{}); err == nil || h != nil {
		t.Error("shared+dontshare accepted")
	}
}

func TestV1MessageCountMismatch(t *testing.T) {
	// libhdf5 does not enforce the stored count (outside strict checks).
	b := v1Header(5, v1Msg(MsgComment, 0, []byte("x\x00")))
	h, err := ReadHeader(memSource(b), 0, Limits{})
	if err != nil || len(h.Messages) != 1 {
		t.Fatalf("%v %v", h, err)
	}
	// Unaligned message sizes are not.
	b = v1Header(1, v1Msg(MsgComment, 0, []byte("x\x00")))
	binary.LittleEndian.PutUint16(b[16+2:], 3)
	if _, err := ReadHeader(memSource(b), 0, Limits{}); err == nil {
		t.Error("unaligned message accepted")
	}
}

func TestContinuationCycle(t *testing.T) {
	// Header at 0 continues at 40; the block at 40 continues at 40 again.
	block := v1Msg(MsgContinuation, 0, contBody(40, 24))
	b := v1Header(1, v1Msg(MsgContinuation, 0, contBody(40, 24)))
	if len(b) != 40 {
		t.Fatalf("header is %d bytes", len(b))
	}
	b = append(b, block...)
	h, err := ReadHeader(memSource(b), 0, Limits{})
	if err == nil || h != nil {
		t.Fatalf("cycle not detected: %v", err)
	}
	// Back to the header itself.
	b = v1Header(1, v1Msg(MsgContinuation, 0, contBody(0, 24)))
	if _, err := ReadHeader(memSource(b), 0, Limits{}); err == nil {
		t.Fatal("cycle to the header not detected")
	}
}

func TestLimits(t *testing.T) {
	// A chain of n continuation blocks.
	const n = 10
	var b []byte
	b = v1Header(1, v1Msg(MsgContinuation, 0, contBody(40, 24)))
	for i := 1; i <= n; i++ {
		next := uint64(40 + 24*i)
		if i == n {
			b = append(b, v1Msg(MsgComment, 0, []byte("end\x00"))...)
			b = append(b, make([]byte, 8)...)
			break
		}
		b = append(b, v1Msg(MsgContinuation, 0, contBody(next, 24))...)
	}
	h, err := ReadHeader(memSource(b), 0, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Chunks != n+1 || h.Find(MsgComment) == nil {
		t.Fatalf("%d chunks", h.Chunks)
	}
	var le *binfmt.LimitError
	if _, err := ReadHeader(memSource(b), 0, Limits{MaxContinuations: n - 1}); !errors.As(err, &le) || le.Name != "MaxContinuations" || !errors.Is(err, binfmt.ErrLimit) {
		t.Errorf("MaxContinuations: %v", err)
	}
	if _, err := ReadHeader(memSource(b), 0, Limits{MaxContinuations: n}); err != nil {
		t.Errorf("MaxContinuations=%d: %v", n, err)
	}
	if _, err := ReadHeader(memSource(b), 0, Limits{MaxMessages: 5}); !errors.As(err, &le) || le.Name != "MaxMessages" {
		t.Errorf("MaxMessages: %v", err)
	}
}

func TestV2Synthetic(t *testing.T) {
	msgs := append(v2Msg(MsgComment, 0, 7, []byte("abc\x00")), v2Msg(MsgNil, 0, 8, make([]byte, 3))...)
	msgs = append(msgs, v2Msg(MsgRefCount, 0, 9, []byte{0, 5, 0, 0, 0})...)
	for _, sz := range []uint8{0, 1, 2, 3} {
		flags := sz | HdrAttrOrderTracked | HdrTimesStored | HdrAttrPhaseChange
		b := v2Header(flags, msgs, 5) // a 5-byte gap (shorter than a 6-byte message header)
		h, err := ReadHeader(memSource(b), 0, Limits{})
		if err != nil {
			t.Fatalf("size width %d: %v", sz, err)
		}
		if h.Access != 1 || h.Mod != 2 || h.Change != 3 || h.Birth != 4 || h.MaxCompact != 20 || h.MinDense != 10 {
			t.Errorf("prefix %+v", h)
		}
		if len(h.Messages) != 2 || h.nils != 1 || h.Messages[0].CreationOrder != 7 || h.Messages[1].CreationOrder != 9 {
			t.Fatalf("messages %+v", h.Messages)
		}
		if rc := h.Messages[1].Value.(*RefCount); rc.Count != 5 {
			t.Errorf("refcount %d", rc.Count)
		}
		// Any flipped bit is caught by the checksum.
		bad := bytes.Clone(b)
		bad[len(bad)-8] ^= 1
		if h, err := ReadHeader(memSource(bad), 0, Limits{}); !errors.Is(err, binfmt.ErrChecksum) || h != nil {
			t.Errorf("corrupt: %v", err)
		}
	}
	// Unknown header flags are rejected.
	if _, err := ReadHeader(memSource(v2Header(0x40, msgs, 0)), 0, Limits{}); err == nil {
		t.Error("header flag bit 6 accepted")
	}
}

func TestCorruptFixtureChecksums(t *testing.T) {
	var exp expFile
	loadExp(t, "objects_latest.json", &exp)
	b, src := openFixture(t, "objects_latest.h5")
	// The prefix of a version 2 header.
	addr := exp.Objects["contig"].Addr
	bad := bytes.Clone(b)
	bad[addr+8] ^= 0x10
	if h, err := ReadHeader(sourceOf(t, bad), addr, Limits{}); !errors.Is(err, binfmt.ErrChecksum) || h != nil {
		t.Errorf("corrupt OHDR: %v", err)
	}
	// An "OCHK" continuation block.
	h, err := ReadHeader(src, exp.Objects["g"].Addr, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	c := h.Find(MsgContinuation).Value.(*Continuation)
	if string(b[c.Addr:c.Addr+4]) != "OCHK" {
		t.Fatalf("no OCHK at %d", c.Addr)
	}
	bad = bytes.Clone(b)
	bad[c.Addr+c.Length/2] ^= 0x01
	if h, err := ReadHeader(sourceOf(t, bad), exp.Objects["g"].Addr, Limits{}); !errors.Is(err, binfmt.ErrChecksum) || h != nil {
		t.Errorf("corrupt OCHK: %v", err)
	}
	// Limits on a real header with two continuation blocks.
	var le *binfmt.LimitError
	if _, err := ReadHeader(src, exp.Objects["ordered"].Addr, Limits{MaxContinuations: 1}); !errors.As(err, &le) {
		t.Errorf("MaxContinuations on ordered: %v", err)
	}
}
