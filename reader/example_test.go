package reader_test

import (
	"encoding/binary"
	"fmt"
	"log"
	"math"

	"github.com/goh5/goh5/reader"
)

// The examples read testdata/tables.h5, written by PyTables (testdata/gen.py);
// the printed values are PyTables' answers for the same reads.

// Multitables' concurrent access pattern: a loader goroutine submits row
// requests into a pool of stages; the consumer takes them back in order.
func Example() {
	r, err := reader.Open("testdata/tables.h5", reader.Options{Workers: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(true)
	t, err := r.Table("/t")
	if err != nil {
		log.Fatal(err)
	}
	stages, err := t.NewStagePool([]uint64{1}, 4) // four one-row stages
	if err != nil {
		log.Fatal(err)
	}
	id := t.Col("id")
	pool := reader.NewRequestPool()
	go func() {
		for i := int64(0); i < 3; i++ {
			pool.Add(r.Request(id.Read(i, i+1, 1), stages))
		}
		pool.Close()
	}()
	for {
		fut, ok := pool.Next()
		if !ok {
			break
		}
		err := fut.Direct(func(v reader.View) error {
			fmt.Println(int64(binary.LittleEndian.Uint64(v.Data)))
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 34897
	// 222178
	// 243625
}

func ExampleTableDataset_Where() {
	r, err := reader.Open("testdata/tables.h5", reader.Options{Workers: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(true)
	t, _ := r.Table("/t")
	stage, _ := t.NewStage(1000)
	req := t.Where("(i32 > lo) & (i32 < 20)", map[string]any{"lo": 10}, reader.Omit, 1000, reader.Omit).Field("i32")
	v, err := r.Request(req, stage).Get()
	if err != nil {
		log.Fatal(err)
	}
	var vals []any
	for i := 0; i < v.Len(); i++ {
		vals = append(vals, int32(binary.LittleEndian.Uint32(v.Elem(i))))
	}
	fmt.Println(vals...)
	// A malformed condition fails with its position.
	fmt.Println(t.Where("(i32 > 10", nil, reader.Omit, reader.Omit, reader.Omit).Err())
	// Output:
	// 17 11 14 12 19
	// hdf5: reader: condition "(i32 > 10" at position 9: expected ")" to close the "(" at position 0, found end of condition
}

func ExampleTableDataset_ReadSorted() {
	r, err := reader.Open("testdata/tables.h5", reader.Options{Workers: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(true)
	t, _ := r.Table("/t")
	stage, _ := t.NewStage(3)
	// The three rows with the smallest id, through the CSI index on id.
	v, err := r.Request(t.ReadSorted("id", true, "i32", 0, 3, 1), stage).Get()
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < v.Len(); i++ {
		fmt.Println(int32(binary.LittleEndian.Uint32(v.Elem(i))))
	}
	// Output:
	// 180
	// 771
	// 576
}

func ExampleFuture_Unsafe() {
	r, err := reader.Open("testdata/tables.h5", reader.Options{Workers: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(true)
	a, _ := r.Array("/arrays/carray")
	stage, _ := a.NewStage(1)
	v, release, err := r.Request(a.Slice("2, :4"), stage).Unsafe()
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < v.Len(); i++ {
		fmt.Print(math.Float64frombits(binary.LittleEndian.Uint64(v.Elem(i))), " ")
	}
	fmt.Println(v.Shape)
	release() // the stage may be reused from here on
	// Output:
	// 6.75 18.25 8.25 17 [4]
}

func ExampleVLArrayDataset() {
	r, err := reader.Open("testdata/tables.h5", reader.Options{Workers: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(true)
	vl, _ := r.VLArray("/arrays/vlarray")
	stage, _ := vl.NewStage(3) // 3 rows, room for 3 of the longest rows
	pv, err := r.Request(vl.Read(0, 3, 1, ""), stage).Proxy()
	if err != nil {
		log.Fatal(err)
	}
	n, _ := pv.Len()
	for i := 0; i < n; i++ {
		row, _ := pv.AppendElem(nil, i)
		var vals []any
		for k := 0; k+4 <= len(row); k += 4 {
			vals = append(vals, int32(binary.LittleEndian.Uint32(row[k:])))
		}
		fmt.Println(vals...)
	}
	pv.Release()
	_, err = pv.Len()
	fmt.Println(err)
	// Output:
	// -61 -45 -48 -57 57 77 -5 -39
	// 61 35 84
	// -41 84 -89 98
	// hdf5: reader: data released
}
