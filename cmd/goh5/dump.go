package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/goh5/goh5/hdf5"
)

func init() {
	register(&command{
		name:    "dump",
		summary: "print objects with their datatypes, dataspaces, attributes and first values, like h5dump",
		usage:   "dump [--max N] [--attrs-only] FILE [PATH]",
		run:     runDump,
	})
}

func runDump(args []string, stdout, stderr io.Writer) error {
	c := commands["dump"]
	fs := newFlags(c, stderr)
	maxElems := fs.Int("max", 20, "print at most N data values per dataset or attribute")
	attrsOnly := fs.Bool("attrs-only", false, "print attributes but no dataset values")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return &usageError{"want FILE and an optional PATH"}
	}
	if *maxElems < 0 {
		return &usageError{"--max must not be negative"}
	}
	f, err := hdf5.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	path := "/"
	if len(pos) == 2 {
		path = pos[1]
	}
	o, err := f.Open(path)
	if err != nil {
		return err
	}
	d := &dumper{f: f, w: stdout, max: uint64(*maxElems), attrsOnly: *attrsOnly}
	d.object(o)
	if g, ok := o.(*hdf5.Group); ok {
		d.links(g)
		for e, err := range g.Walk() {
			if err != nil {
				fmt.Fprintf(stdout, "ERROR %s: %v\n", e.Path, err)
				d.failed = true
				break
			}
			d.object(e.Object)
			if sub, ok := e.Object.(*hdf5.Group); ok {
				d.links(sub)
			}
		}
	}
	if d.failed {
		return fmt.Errorf("some objects could not be dumped")
	}
	return nil
}

type dumper struct {
	f         *hdf5.File
	w         io.Writer
	max       uint64
	attrsOnly bool
	failed    bool
}

func (d *dumper) errorf(format string, args ...any) {
	fmt.Fprintf(d.w, format, args...)
	d.failed = true
}

// object prints one object: its kind and path, its type and shape, its
// attributes and, for a dataset, its first values.
func (d *dumper) object(o hdf5.Object) {
	switch o := o.(type) {
	case *hdf5.Group:
		fmt.Fprintf(d.w, "GROUP %q\n", o.Path())
	case *hdf5.Dataset:
		fmt.Fprintf(d.w, "DATASET %q\n", o.Path())
		fmt.Fprintf(d.w, "   DATATYPE  %s\n", o.Datatype().String())
		fmt.Fprintf(d.w, "   DATASPACE %s\n", o.Dataspace().String())
	case *hdf5.NamedDatatype:
		fmt.Fprintf(d.w, "DATATYPE %q\n", o.Path())
		fmt.Fprintf(d.w, "   DATATYPE  %s\n", o.Datatype().String())
	default:
		fmt.Fprintf(d.w, "%s %q\n", strings.ToUpper(o.Kind().String()), o.Path())
	}
	if c := o.Comment(); c != "" {
		fmt.Fprintf(d.w, "   COMMENT   %q\n", c)
	}
	for a, err := range o.Attributes() {
		if err != nil {
			d.errorf("   ERROR     attributes: %v\n", err)
			break
		}
		d.attribute(a)
	}
	if ds, ok := o.(*hdf5.Dataset); ok && !d.attrsOnly {
		d.data(ds)
	}
}

func (d *dumper) links(g *hdf5.Group) {
	for l, err := range g.Links() {
		if err != nil {
			d.errorf("   ERROR     links: %v\n", err)
			return
		}
		p := joinPath(g.Path(), l.Name)
		switch l.Type {
		case hdf5.LinkSoft:
			fmt.Fprintf(d.w, "SOFTLINK %q -> %q\n", p, l.Target)
		case hdf5.LinkExternal:
			fmt.Fprintf(d.w, "EXTLINK %q -> %q\n", p, l.ExtFile+"//"+l.ExtPath)
		case hdf5.LinkHard:
		default:
			fmt.Fprintf(d.w, "LINK %q (%s)\n", p, l.Type)
		}
	}
}

func (d *dumper) attribute(a *hdf5.Attribute) {
	t, sp := a.Datatype(), a.Dataspace()
	fmt.Fprintf(d.w, "   ATTRIBUTE %q %s %s\n", a.Name, t.String(), sp.String())
	if sp.Kind == spaceNull {
		return
	}
	n, ok := sp.NumElements()
	raw := a.RawBytes()
	es := uint64(t.Size)
	if !ok || es == 0 || uint64(len(raw)) < n*es {
		d.errorf("      ERROR %d bytes of data for %d elements of %d bytes\n", len(raw), n, es)
		return
	}
	show := min(n, d.max)
	vals := make([]any, 0, show)
	for i := uint64(0); i < show; i++ {
		v, err := decodeValue(d.f, t, raw[i*es:(i+1)*es], false, 0)
		if err != nil {
			d.errorf("      ERROR %v\n", err)
			return
		}
		vals = append(vals, v)
	}
	d.values("      ", vals, n)
}

// data prints the first max values of a dataset, reading only the rows of
// the first dimension that hold them.
func (d *dumper) data(ds *hdf5.Dataset) {
	sp := ds.Dataspace()
	if sp.Kind == spaceNull || d.max == 0 {
		return
	}
	n, ok := sp.NumElements()
	if !ok {
		d.errorf("   ERROR     dataspace too large\n")
		return
	}
	var sel *hdf5.Selection
	want := min(n, d.max)
	if sp.Kind == spaceSimple && len(sp.Dims) > 0 && want < n {
		per := uint64(1)
		for _, v := range sp.Dims[1:] {
			per *= v
		}
		rows := (want + per - 1) / per
		start := make([]uint64, len(sp.Dims))
		count := append([]uint64{rows}, sp.Dims[1:]...)
		sel = hdf5.Hyperslab(start, nil, count, nil)
	}
	size, err := ds.SelectionBytes(sel)
	if err != nil {
		d.errorf("   ERROR     %v\n", err)
		return
	}
	if size > blockBytes && want < n {
		// A row far larger than what is shown: read single elements.
		coords := make([][]uint64, want)
		for i := range coords {
			coords[i] = unravel(uint64(i), sp.Dims)
		}
		sel = hdf5.Points(coords)
		if size, err = ds.SelectionBytes(sel); err != nil {
			d.errorf("   ERROR     %v\n", err)
			return
		}
	}
	buf := make([]byte, size)
	if err := ds.Read(sel, buf); err != nil {
		d.errorf("   DATA      ERROR %v\n", err)
		return
	}
	t := ds.Datatype()
	es := uint64(t.Size)
	vals := make([]any, 0, want)
	for i := uint64(0); i < want && (i+1)*es <= uint64(len(buf)); i++ {
		v, err := decodeValue(d.f, t, buf[i*es:(i+1)*es], true, 0)
		if err != nil {
			d.errorf("   DATA      ERROR %v\n", err)
			return
		}
		vals = append(vals, v)
	}
	d.values("   DATA      ", vals, n)
}

// values prints shown values of n on one line, with "..." when cut short.
func (d *dumper) values(prefix string, vals []any, n uint64) {
	var b strings.Builder
	b.WriteString(prefix)
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(&b, v, false)
	}
	if uint64(len(vals)) < n {
		if len(vals) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("...")
	}
	b.WriteString("\n")
	io.WriteString(d.w, b.String())
}

// unravel turns a flat C-order index into coordinates.
func unravel(i uint64, dims []uint64) []uint64 {
	c := make([]uint64, len(dims))
	for k := len(dims) - 1; k >= 0; k-- {
		if dims[k] > 0 {
			c[k] = i % dims[k]
			i /= dims[k]
		}
	}
	return c
}

// Values decoded from element bytes, for csv, json and dump.
type (
	field struct {
		name string
		v    any
	}
	compoundVal []field
	arrayVal    struct {
		dims  []uint64
		elems []any
	}
	vlenVal   []any
	enumVal   struct{ name string }
	opaqueVal []byte
	floatVal  struct {
		f64  float64
		bits int        // 32 or 64: format shortest for that width
		big  *big.Float // other layouts
	}
)

// arrayLen is the number of base elements of an array type.
func arrayLen(t *hdf5.Datatype) uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= uint64(d)
		if n > 1<<32 {
			return 0
		}
	}
	return n
}

// decodeValue decodes one element of t from b. le says the numbers are
// little-endian (as Dataset.Read delivers them); otherwise they are in the
// type's byte order (attribute values, vlen sequence data).
func decodeValue(f *hdf5.File, t *hdf5.Datatype, b []byte, le bool, depth int) (any, error) {
	if t == nil || depth > 32 {
		return nil, fmt.Errorf("hdf5: datatype nested too deeply")
	}
	if uint64(len(b)) < uint64(t.Size) {
		return nil, fmt.Errorf("hdf5: %d bytes for a %d-byte element", len(b), t.Size)
	}
	b = b[:t.Size]
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassBitfield:
		return decodeInt(t, b, le), nil
	case hdf5.ClassFloat:
		return decodeFloat(t, b, le), nil
	case hdf5.ClassString:
		return string(b[:fixedStringLen(t, b)]), nil
	case hdf5.ClassEnum:
		if t.Base == nil || t.Base.Size > 8 {
			return opaqueVal(b), nil
		}
		v := decodeInt(t.Base, b, le)
		for i, raw := range t.EnumValues {
			if i < len(t.EnumNames) && uint64(len(raw)) >= uint64(t.Base.Size) && decodeInt(t.Base, raw, false) == v {
				if len(t.EnumNames) == 2 && t.NumpyDescr() == "|b1" {
					return t.EnumNames[i] == "TRUE", nil
				}
				return enumVal{t.EnumNames[i]}, nil
			}
		}
		return v, nil
	case hdf5.ClassCompound:
		out := make(compoundVal, 0, len(t.Members))
		for _, m := range t.Members {
			if m.Type == nil || uint64(m.Offset)+uint64(m.Type.Size) > uint64(len(b)) {
				return nil, fmt.Errorf("hdf5: compound member %q outside its element", m.Name)
			}
			v, err := decodeValue(f, m.Type, b[m.Offset:], le, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, field{m.Name, v})
		}
		return out, nil
	case hdf5.ClassArray:
		if t.Base == nil {
			return opaqueVal(b), nil
		}
		n, bs := arrayLen(t), uint64(t.Base.Size)
		if n*bs > uint64(len(b)) {
			return nil, fmt.Errorf("hdf5: array of %d elements in %d bytes", n, len(b))
		}
		av := arrayVal{elems: make([]any, n)}
		for _, d := range t.Dims {
			av.dims = append(av.dims, uint64(d))
		}
		for i := range av.elems {
			v, err := decodeValue(f, t.Base, b[uint64(i)*bs:], le, depth+1)
			if err != nil {
				return nil, err
			}
			av.elems[i] = v
		}
		return av, nil
	case hdf5.ClassVlen:
		count, data, err := f.VlenElement(b)
		if err != nil {
			return nil, err
		}
		if t.VlenString {
			if uint64(count) < uint64(len(data)) {
				data = data[:count]
			}
			return string(data), nil
		}
		if t.Base == nil || t.Base.Size == 0 {
			return vlenVal{}, nil
		}
		bs := uint64(t.Base.Size)
		if uint64(count)*bs > uint64(len(data)) {
			return nil, fmt.Errorf("hdf5: variable-length element of %d items in %d bytes", count, len(data))
		}
		out := make(vlenVal, count)
		for i := range out {
			v, err := decodeValue(f, t.Base, data[uint64(i)*bs:], false, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case hdf5.ClassReference:
		if t.RefKind == 0 && len(b) >= f.SizeOfOffsets() && f.SizeOfOffsets() <= 8 {
			var a [8]byte
			copy(a[:], b[:f.SizeOfOffsets()])
			addr := binary.LittleEndian.Uint64(a[:])
			if addr == 0 || addr == math.MaxUint64>>(64-8*uint(f.SizeOfOffsets())) {
				return nil, nil // a null reference
			}
			if p, ok, _ := f.ObjectPath(addr); ok {
				return p, nil
			}
			return "object@" + strconv.FormatUint(addr, 10), nil
		}
		return opaqueVal(b), nil
	}
	return opaqueVal(b), nil
}

// uintOf reads an unsigned integer of len(b) <= 8 bytes.
func uintOf(b []byte, bigEndian bool) uint64 {
	var v uint64
	if bigEndian {
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// decodeInt decodes an integer or bitfield: the Precision bits at
// BitOffset, sign-extended when signed. It returns an int64 or uint64, or
// opaque bytes for integers wider than 8 bytes.
func decodeInt(t *hdf5.Datatype, b []byte, le bool) any {
	if t.Size > 8 || t.Size == 0 {
		return opaqueVal(b)
	}
	v := uintOf(b[:t.Size], !le && t.Order == orderBE)
	prec := uint(t.Precision)
	if prec == 0 || prec > 8*uint(t.Size) {
		prec = 8 * uint(t.Size)
	}
	v >>= uint(t.BitOffset) % 64
	if prec < 64 {
		v &= 1<<prec - 1
	}
	if t.Class == hdf5.ClassInteger && t.Signed {
		if prec < 64 && v&(1<<(prec-1)) != 0 {
			v |= ^uint64(0) << prec
		}
		return int64(v)
	}
	return v
}

// decodeFloat decodes a float of any layout the Datatype message can
// describe (Spec 3.0, IV.A.2.d, class 1 properties): IEEE binary32 and
// binary64 exactly as float64, others (half, x87 extended, ...) as a
// big.Float with the type's mantissa precision.
func decodeFloat(t *hdf5.Datatype, b []byte, le bool) any {
	if t.Order == orderVAX {
		return opaqueVal(b)
	}
	if bits, ok := t.IsIEEE(); ok && bits != 16 {
		v := uintOf(b, !le && t.Order == orderBE)
		if bits == 32 {
			return floatVal{f64: float64(math.Float32frombits(uint32(v))), bits: 32}
		}
		return floatVal{f64: math.Float64frombits(v), bits: 64}
	}
	if t.MantSize == 0 || t.MantSize > 64 || t.ExpSize == 0 || t.ExpSize > 32 {
		return opaqueVal(b)
	}
	// Bit i of the element is bit i%8 of byte i/8 in little-endian order.
	le8 := b
	if !le && t.Order == orderBE {
		le8 = make([]byte, len(b))
		for i := range b {
			le8[i] = b[len(b)-1-i]
		}
	}
	bitsAt := func(pos, n int) uint64 {
		var v uint64
		for i := n - 1; i >= 0; i-- {
			p := pos + i
			bit := uint64(0)
			if p/8 < len(le8) {
				bit = uint64(le8[p/8]>>(p%8)) & 1
			}
			v = v<<1 | bit
		}
		return v
	}
	sign := bitsAt(int(t.SignLoc), 1) == 1
	exp := int64(bitsAt(int(t.ExpLoc), int(t.ExpSize)))
	mant := bitsAt(int(t.MantLoc), int(t.MantSize))
	ms := int64(t.MantSize)
	maxExp := int64(1)<<t.ExpSize - 1
	prec := uint(ms)
	implied := t.MantNorm == 2
	if implied {
		prec++
	}
	if exp == maxExp {
		frac := mant
		if !implied && ms > 0 {
			frac &^= 1 << (ms - 1) // the explicit integer bit
		}
		if frac == 0 {
			return floatVal{f64: math.Copysign(math.Inf(1), map[bool]float64{true: -1, false: 1}[sign]), bits: 64}
		}
		return floatVal{f64: math.NaN(), bits: 64}
	}
	bias := int64(t.ExpBias)
	var e int64
	m := new(big.Float).SetPrec(prec + 2).SetUint64(mant)
	switch {
	case exp == 0:
		e = 1 - bias - ms
		if !implied {
			e = 1 - bias - (ms - 1)
		}
	case implied:
		m.Add(m, new(big.Float).SetMantExp(big.NewFloat(1), int(ms)))
		e = exp - bias - ms
	default:
		e = exp - bias - (ms - 1)
	}
	v := new(big.Float).SetPrec(prec).SetMode(big.ToNearestEven)
	v.SetMantExp(m, int(e))
	if sign {
		v.Neg(v)
	}
	return floatVal{big: v}
}

// formatFloat formats a float losslessly with the fewest digits that read
// back to the same value at its width: plain notation for magnitudes in
// [1e-6, 1e21), exponent notation otherwise (as encoding/json does).
func formatFloat(v floatVal, asJSON bool) string {
	if v.big != nil {
		if v.big.IsInf() {
			return formatFloat(floatVal{f64: math.Inf(v.big.Sign()), bits: 64}, asJSON)
		}
		return v.big.Text('g', -1)
	}
	f := v.f64
	switch {
	case math.IsNaN(f):
		if asJSON {
			return "null"
		}
		return "nan"
	case math.IsInf(f, 1):
		if asJSON {
			return "null"
		}
		return "inf"
	case math.IsInf(f, -1):
		if asJSON {
			return "null"
		}
		return "-inf"
	}
	a := math.Abs(f)
	fmtc := byte('f')
	if a != 0 && (a < 1e-6 || a >= 1e21) {
		fmtc = 'e'
	}
	return strconv.FormatFloat(f, fmtc, -1, v.bits)
}

// writeValue writes v as JSON (asJSON) or as the looser text dump and csv
// use (strings unquoted at top level in csv are handled by the caller).
func writeValue(b *strings.Builder, v any, asJSON bool) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case floatVal:
		b.WriteString(formatFloat(v, asJSON))
	case string:
		q, _ := json.Marshal(v)
		b.Write(q)
	case enumVal:
		if asJSON {
			q, _ := json.Marshal(v.name)
			b.Write(q)
		} else {
			b.WriteString(v.name)
		}
	case opaqueVal:
		s := "0x" + fmt.Sprintf("%x", []byte(v))
		if asJSON {
			s = `"` + s + `"`
		}
		b.WriteString(s)
	case compoundVal:
		b.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			q, _ := json.Marshal(f.name)
			b.Write(q)
			b.WriteString(": ")
			writeValue(b, f.v, asJSON)
		}
		b.WriteByte('}')
	case arrayVal:
		writeNested(b, v.elems, v.dims, asJSON)
	case vlenVal:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e, asJSON)
		}
		b.WriteByte(']')
	default:
		fmt.Fprintf(b, "%v", v)
	}
}
