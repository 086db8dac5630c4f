package filters

import "math/bits"

// Decode tables for the whole-buffer inflater (inflate.go).
//
// A table maps the next tableBits input bits (LSB first, as deflate packs
// Huffman codes bit-reversed, RFC 1951 section 3.1.1) to a packed entry, so
// one lookup decodes every code no longer than tableBits. Longer codes go
// through a second-level subtable. An entry is a uint32:
//
//	bits  0..4   bits to consume for the code (in a subtable: beyond the
//	             main table's bits); for a subtable link: tableBits
//	bits  8..12  bits to consume for code plus extra bits; for a subtable
//	             link: log2 of the subtable's size
//	bit  13      literal byte (value = the byte)
//	bit  14      link to a subtable (value = its start index)
//	bit  15      end of block
//	bit   7      invalid code
//	bits 16..31  value: literal byte, length or distance base, or subtable start
//
// For a length or distance the extra bits sit right after the code, so the
// decoded value is base + (bitbuf & (1<<total - 1)) >> codeLen.
const (
	entFlagLit = 1 << 13
	entFlagSub = 1 << 14
	entFlagEOB = 1 << 15
	entFlagBad = 1 << 7

	litBits  = 11 // main literal/length table: 2048 entries
	distBits = 8  // main distance table: 256 entries
	clBits   = 7  // code length codes are at most 7 bits long

	maxCodeLen = 15

	// Every subtable is 1<<(maxLen-tableBits) <= 1<<(15-tableBits) entries
	// and each one belongs to at least one code, so these bound the tables.
	litTableSize  = 1<<litBits + 288<<(maxCodeLen-litBits)
	distTableSize = 1<<distBits + 32<<(maxCodeLen-distBits)
)

// Length and distance bases and extra-bit counts, RFC 1951 section 3.2.5.
var (
	lengthBase = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// Entry templates per symbol, before the code length is added.
var (
	litTemplates  [288]uint32
	distTemplates [32]uint32
	clTemplates   [19]uint32
)

// Fixed Huffman tables, RFC 1951 section 3.2.6, built once.
var (
	fixedLit  [litTableSize]uint32
	fixedDist [distTableSize]uint32
)

func init() {
	for s := 0; s < 256; s++ {
		litTemplates[s] = entFlagLit | uint32(s)<<16
	}
	litTemplates[256] = entFlagEOB
	for s := 257; s < 286; s++ {
		litTemplates[s] = uint32(lengthBase[s-257])<<16 | uint32(lengthExtra[s-257])<<8
	}
	litTemplates[286] = entFlagBad
	litTemplates[287] = entFlagBad
	for s := 0; s < 30; s++ {
		distTemplates[s] = uint32(distBase[s])<<16 | uint32(distExtra[s])<<8
	}
	distTemplates[30] = entFlagBad
	distTemplates[31] = entFlagBad
	for s := range clTemplates {
		clTemplates[s] = uint32(s) << 16
	}

	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	var sorted [288]uint16
	if !buildTable(fixedLit[:], lens[:], litTemplates[:], litBits, true, &sorted) {
		panic("filters: fixed literal table")
	}
	for i := 0; i < 32; i++ {
		lens[i] = 5
	}
	if !buildTable(fixedDist[:], lens[:32], distTemplates[:], distBits, true, &sorted) {
		panic("filters: fixed distance table")
	}
}

// buildTable fills t from the code lengths of a canonical Huffman code
// (RFC 1951 section 3.2.2). It reports false for an over-subscribed code
// and, as zlib does, for an incomplete one, except that when incomplete is
// allowed a code with no symbols or a single one-bit code is accepted; the
// unused table entries then decode as invalid. sorted is scratch space.
func buildTable(t []uint32, lens []uint8, templ []uint32, tableBits uint, incomplete bool, sorted *[288]uint16) bool {
	var count [maxCodeLen + 1]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	maxLen := 0
	for l := maxCodeLen; l > 0; l-- {
		if count[l] != 0 {
			maxLen = l
			break
		}
	}
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left <<= 1
		left -= count[l]
		if left < 0 {
			return false // over-subscribed
		}
	}
	mainSize := 1 << tableBits
	if left > 0 {
		if !incomplete || maxLen > 1 {
			return false
		}
		for i := 0; i < mainSize; i++ {
			t[i] = entFlagBad
		}
		if maxLen == 0 {
			return true
		}
	}

	// Sort symbols by code length, then by symbol: the canonical order.
	var offs, next [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	code := 0
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}

	subBits := 0
	if maxLen > int(tableBits) {
		subBits = maxLen - int(tableBits)
	}
	n := offs[maxLen]
	curPrefix, subStart, nextSub := -1, 0, mainSize
	for _, sym := range sorted[:n] {
		l := int(lens[sym])
		c := next[l]
		next[l]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
		if l <= int(tableBits) {
			e := templ[sym] + uint32(l) + uint32(l)<<8
			for i := rev; i < mainSize; i += 1 << l {
				t[i] = e
			}
			continue
		}
		prefix := rev & (mainSize - 1)
		if prefix != curPrefix {
			curPrefix = prefix
			subStart = nextSub
			nextSub += 1 << subBits
			if nextSub > len(t) {
				return false
			}
			t[prefix] = entFlagSub | uint32(subStart)<<16 | uint32(subBits)<<8 | uint32(tableBits)
		}
		sl := l - int(tableBits)
		e := templ[sym] + uint32(sl) + uint32(sl)<<8
		for i := rev >> tableBits; i < 1<<subBits; i += 1 << sl {
			t[subStart+i] = e
		}
	}
	return true
}
