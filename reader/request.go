package reader

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goh5/goh5/hdf5"
)

// Omit stands for an omitted start, stop or step (Python's None).
const Omit = hdf5.Omit

type reqKind uint8

const (
	kindRows   reqKind = iota + 1 // start, count, step over the rows
	kindCoords                    // a list of rows
	kindIndex                     // any hdf5 selection
	kindSorted                    // rows in the order of a column
	kindWhere                     // rows where a condition holds
)

// Request describes one read: which dataset, which elements, which field.
// Requests are values built by the dataset proxies; building one reads
// nothing, and one request may be submitted any number of times. An
// invalid description carries its error, which Err returns and every
// getter of its future reports.
type Request struct {
	d    *base
	kind reqKind
	err  error

	fld    field // fld.t == nil: whole elements
	hasFld bool

	// kindRows: resolved rows start, start+step, ... (count of them); drop
	// means a single index that removes the row dimension.
	start, step int64
	count       uint64
	drop        bool

	coords []int64 // kindCoords

	sel *hdf5.Selection // kindIndex

	// kindSorted and kindWhere: the arguments as given.
	sortby            string
	checkCSI          bool
	aStart, aStop, aS int64
	cond              *condition
	expr              string // the Slice expression or condition, for String
}

// Err returns the error that makes the description invalid, or nil.
func (q Request) Err() error { return q.err }

// Dataset returns the proxy the request reads.
func (q Request) Dataset() Dataset {
	if q.d == nil {
		return nil
	}
	return q.d.self
}

// Field returns a copy of q that reads only the named column (a compound
// member; nested members as "info/x").
func (q Request) Field(name string) Request {
	if q.err != nil || q.d == nil {
		return q
	}
	if name == "" {
		q.fld, q.hasFld = field{}, false
		return q
	}
	f, err := resolveField(q.d.dtype, name)
	if err != nil {
		q.err = err
		return q
	}
	q.fld, q.hasFld = f, true
	return q
}

// String describes the request in PyTables terms.
func (q Request) String() string {
	if q.d == nil {
		return "<empty>"
	}
	var b strings.Builder
	b.WriteString(q.d.path)
	switch q.kind {
	case kindRows:
		if q.expr != "" {
			fmt.Fprintf(&b, "[%s]", q.expr)
		} else {
			fmt.Fprintf(&b, ".read(start=%d, count=%d, step=%d)", q.start, q.count, q.step)
		}
	case kindCoords:
		fmt.Fprintf(&b, ".read_coordinates(%d coords)", len(q.coords))
	case kindIndex:
		if q.expr != "" {
			fmt.Fprintf(&b, "[%s]", q.expr)
		} else {
			b.WriteString("[index]")
		}
	case kindSorted:
		fmt.Fprintf(&b, ".read_sorted(%q, checkCSI=%v, start=%s, stop=%s, step=%s)", q.sortby, q.checkCSI, optStr(q.aStart), optStr(q.aStop), optStr(q.aS))
	case kindWhere:
		fmt.Fprintf(&b, ".read_where(%q, start=%s, stop=%s, step=%s)", q.expr, optStr(q.aStart), optStr(q.aStop), optStr(q.aS))
	}
	if q.hasFld {
		fmt.Fprintf(&b, "[%q]", q.fld.name)
	}
	return b.String()
}

func optStr(v int64) string {
	if v == Omit {
		return "None"
	}
	return strconv.FormatInt(v, 10)
}

func (b *base) bad(err error) Request { return Request{d: b, err: err} }

// rows builds a kindRows request from a Python slice over the rows.
func (b *base) rows(start, stop, step int64) Request {
	s, n, st, err := pySlice(start, stop, step, int64(b.nrows()))
	if err != nil {
		return b.bad(err)
	}
	return Request{d: b, kind: kindRows, start: s, count: uint64(n), step: st}
}

// Read reads rows start:stop:step as PyTables' read does (see Dataset).
func (b *base) Read(start, stop, step int64, fieldName string) Request {
	return b.read(start, stop, step).Field(fieldName)
}

func (b *base) read(start, stop, step int64) Request {
	n := int64(b.nrows())
	if start != Omit && stop == Omit && step == Omit {
		// PyTables: a start alone reads one row (start = -1: the last).
		if n > 0 && start >= n {
			return b.bad(fmt.Errorf("hdf5: reader: start of range (%d) is greater than number of rows (%d)", start, n))
		}
		if start == -1 {
			stop = n
		} else {
			stop = start + 1
		}
		step = 1
	}
	if step != Omit && step < 0 {
		return b.bad(fmt.Errorf("hdf5: reader: slice step cannot be negative"))
	}
	return b.rows(start, stop, step)
}

// ReadCoordinates reads the rows at coords, in that order; negative
// coordinates count from the end.
func (b *base) ReadCoordinates(coords []int64, fieldName string) Request {
	return b.readCoords(coords).Field(fieldName)
}

func (b *base) readCoords(coords []int64) Request {
	n := int64(b.nrows())
	for _, c := range coords {
		if c < -n || c >= n {
			return b.bad(fmt.Errorf("hdf5: reader: coordinate %d out of range for %d rows", c, n))
		}
	}
	return Request{d: b, kind: kindCoords, coords: coords}
}

// Index is numpy-style indexing (see Dataset).
func (b *base) Index(items ...hdf5.Item) Request {
	sel := hdf5.Index(items...)
	if _, _, err := b.ds.SelectionShape(sel); err != nil {
		return b.bad(err)
	}
	return Request{d: b, kind: kindIndex, sel: sel}
}

// Slice is numpy-style indexing from an expression (see Dataset). An
// expression over the rows alone ("a:b:c" or "i", optionally followed by
// ", ...") takes the fast row path.
func (b *base) Slice(expr string) Request {
	e := strings.TrimSpace(expr)
	e = strings.TrimSuffix(strings.TrimPrefix(e, "["), "]")
	parts := strings.Split(e, ",")
	if len(parts) == 2 && strings.TrimSpace(parts[1]) == "..." {
		parts = parts[:1]
	}
	if len(parts) == 1 {
		p := strings.TrimSpace(parts[0])
		if p == "..." || p == "" {
			q := b.rows(Omit, Omit, Omit)
			q.expr = expr
			return q
		}
		if !strings.Contains(p, ":") {
			i, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return b.bad(fmt.Errorf("hdf5: reader: slice %q: %q is not an index or slice", expr, p))
			}
			n := int64(b.nrows())
			if i < -n || i >= n {
				return b.bad(fmt.Errorf("hdf5: reader: index %d is out of bounds for %d rows", i, n))
			}
			if i < 0 {
				i += n
			}
			return Request{d: b, kind: kindRows, start: i, count: 1, step: 1, drop: true, expr: expr}
		}
		f := strings.Split(p, ":")
		if len(f) <= 3 {
			v := [3]int64{Omit, Omit, Omit}
			ok := true
			for k, s := range f {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				x, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					ok = false
					break
				}
				v[k] = x
			}
			if ok {
				q := b.rows(v[0], v[1], v[2])
				q.expr = expr
				return q
			}
		}
	}
	sel, err := hdf5.Slice(expr)
	if err != nil {
		return b.bad(err)
	}
	if _, _, err := b.ds.SelectionShape(sel); err != nil {
		return b.bad(err)
	}
	return Request{d: b, kind: kindIndex, sel: sel, expr: expr}
}

// pySlice resolves start:stop:step over n like Python's slice.indices and
// returns the first index, the count and the step.
func pySlice(start, stop, step, n int64) (int64, int64, int64, error) {
	if step == Omit {
		step = 1
	}
	if step == 0 {
		return 0, 0, 0, fmt.Errorf("hdf5: reader: slice step cannot be zero")
	}
	var lo, hi int64
	if step > 0 {
		lo, hi = 0, n
	} else {
		lo, hi = -1, n-1
	}
	norm := func(v, def int64) int64 {
		if v == Omit {
			return def
		}
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	if step > 0 {
		start, stop = norm(start, 0), norm(stop, n)
	} else {
		start, stop = norm(start, n-1), norm(stop, -1)
	}
	var cnt int64
	if step > 0 && stop > start {
		cnt = (stop - start + step - 1) / step
	} else if step < 0 && start > stop {
		cnt = (start - stop - step - 1) / (-step)
	}
	return start, cnt, step, nil
}

// Col returns the column proxy of a table column (nested as "info/x"),
// multitables' dataset['col'].
func (t *TableDataset) Col(name string) Column {
	f, err := resolveField(t.dtype, name)
	return Column{t: t, f: f, err: err}
}

// Field is Col.
func (t *TableDataset) Field(name string) Column { return t.Col(name) }

// Column is one column of a table; its methods build requests that read
// only that column.
type Column struct {
	t   *TableDataset
	f   field
	err error
}

func (c Column) narrow(q Request) Request {
	if c.err != nil {
		return c.t.bad(c.err)
	}
	if q.err != nil {
		return q
	}
	q.fld, q.hasFld = c.f, true
	return q
}

// Name is the column's path.
func (c Column) Name() string { return c.f.name }

// Datatype is the column's type.
func (c Column) Datatype() *hdf5.Datatype { return c.f.t }

// Slice is Dataset.Slice on the column.
func (c Column) Slice(expr string) Request { return c.narrow(c.t.Slice(expr)) }

// Index is Dataset.Index on the column.
func (c Column) Index(items ...hdf5.Item) Request { return c.narrow(c.t.Index(items...)) }

// Read is Dataset.Read on the column.
func (c Column) Read(start, stop, step int64) Request {
	return c.narrow(c.t.read(start, stop, step))
}

// ReadCoordinates is Dataset.ReadCoordinates on the column.
func (c Column) ReadCoordinates(coords []int64) Request {
	return c.narrow(c.t.readCoords(coords))
}

// All reads the whole column (multitables' dataset['col'][...]).
func (c Column) All() Request { return c.narrow(c.t.rows(Omit, Omit, Omit)) }

// ReadSorted reads rows in the order of column sortby (PyTables'
// read_sorted). It uses the column's completely sorted index (CSI) in the
// file when there is one, reading only the index entries start:stop:step
// asks for. With checkCSI and no CSI index it fails with an error wrapping
// ErrNoIndex, with PyTables' message. Otherwise, without a CSI index, it
// sorts the column stably in memory (once, then kept). start, stop and step
// count positions in the sorted order and follow PyTables: Omit for None;
// a start alone reads one row; a negative step reads the range
// nrows-stop:nrows-start backwards. field narrows the result ("": whole
// rows).
func (t *TableDataset) ReadSorted(sortby string, checkCSI bool, fieldName string, start, stop, step int64) Request {
	f, err := resolveField(t.dtype, sortby)
	if err != nil {
		return t.bad(err)
	}
	if !sortable(f.t) {
		return t.bad(fmt.Errorf("hdf5: reader: column %q of type %s cannot be sorted", sortby, f.t.String()))
	}
	if step == 0 {
		return t.bad(fmt.Errorf("hdf5: reader: slice step cannot be zero"))
	}
	q := Request{d: &t.base, kind: kindSorted, sortby: sortby, checkCSI: checkCSI, aStart: start, aStop: stop, aS: step}
	return q.Field(fieldName)
}

// Where reads the rows in start:stop:step (Omit for None) where condition
// holds, in row order (PyTables' read_where). The condition uses PyTables'
// syntax over the table's columns and condvars, whose values may be Go
// numbers, bools, strings, []byte, or ColumnRef for a (nested) column.
// A malformed condition or an unknown name makes the request invalid with
// a *ConditionError that gives the position.
func (t *TableDataset) Where(cond string, condvars map[string]any, start, stop, step int64) Request {
	c, err := compileCondition(cond, &t.base, condvars)
	if err != nil {
		return t.bad(err)
	}
	if step != Omit && step <= 0 {
		return t.bad(fmt.Errorf("hdf5: reader: where step must be positive"))
	}
	return Request{d: &t.base, kind: kindWhere, cond: c, expr: cond, aStart: start, aStop: stop, aS: step}
}

// ColumnRef names a table column (nested as "info/x") as a condvars value.
type ColumnRef string
