package hdf5_test

import (
	"fmt"
	"log"

	"github.com/goh5/goh5/hdf5"
)

// The fixture is written by testdata/gen/gen_fixtures.py; the values in the
// Output sections are those h5py 3.7.0 (libhdf5 1.10.8) reads from it.
const exampleFile = "../testdata/files/example.h5"

// Open a file, walk it, and read a slice of a dataset into []float32.
func Example() {
	f, err := hdf5.Open(exampleFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	d, err := f.Dataset("/experiment/run_001/image")
	if err != nil {
		log.Fatal(err)
	}
	sel, err := hdf5.Slice("100:102, 200:204") // numpy's image[100:102, 200:204]
	if err != nil {
		log.Fatal(err)
	}
	v, err := hdf5.ReadAs[float32](d, sel)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Shape(), d.Datatype())
	fmt.Println(v)
	// Output:
	// [768 768] float32 LE
	// [275.91275 267.70615 260.2854 263.7946 244.79788 236.57886 238.75056 231.91841]
}

// Walk visits every object once, depth first, in name order (as h5py's
// visititems does).
func ExampleFile_Walk() {
	f, err := hdf5.Open(exampleFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	for e, err := range f.Walk() {
		if err != nil {
			log.Fatal(err)
		}
		switch o := e.Object.(type) {
		case *hdf5.Group:
			fmt.Println("group  ", e.Path)
		case *hdf5.Dataset:
			fmt.Println("dataset", e.Path, o.Shape(), o.Layout(), o.ChunkShape())
		}
	}
	// Output:
	// group   /experiment
	// group   /experiment/run_001
	// dataset /experiment/run_001/image [768 768] chunked [128 128]
	// dataset /experiment/table [200] chunked [64]
}

// Attributes are read like datasets: ReadAttrAs for numbers, ReadStrings
// for strings.
func ExampleAttribute_ReadStrings() {
	f, err := hdf5.Open(exampleFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	run, err := f.Group("experiment/run_001") // the leading slash is optional
	if err != nil {
		log.Fatal(err)
	}
	a, err := run.Attribute("operator")
	if err != nil {
		log.Fatal(err)
	}
	op, err := a.ReadStrings()
	if err != nil {
		log.Fatal(err)
	}
	a, err = run.Attribute("temperature_K")
	if err != nil {
		log.Fatal(err)
	}
	t, err := hdf5.ReadAttrAs[float64](a)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op[0], t[0])
	// Output:
	// A. Person 293.15
}

// ReadAs converts to the requested Go type; here a whole dataset is summed
// as float64.
func ExampleReadAs() {
	f, err := hdf5.Open(exampleFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	d, err := f.Dataset("experiment/run_001/image")
	if err != nil {
		log.Fatal(err)
	}
	v, err := hdf5.ReadAs[float64](d, nil) // nil selects everything
	if err != nil {
		log.Fatal(err)
	}
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	fmt.Printf("%d values, sum %.4f\n", len(v), sum)
	// Output:
	// 589824 values, sum 1065152.4489
}

// ReadStructs reads compound elements into structs, matching members by
// the hdf5 tag or else the field's exact name; the enum member "ok" reads
// into a bool.
func ExampleReadStructs() {
	f, err := hdf5.Open(exampleFile)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	type row struct {
		ID   int32   `hdf5:"id"`
		Name string  `hdf5:"name"`
		X    float64 `hdf5:"x"`
		Y    float64 `hdf5:"y"`
		OK   bool    `hdf5:"ok"`
	}
	d, err := f.Dataset("/experiment/table")
	if err != nil {
		log.Fatal(err)
	}
	sel, err := hdf5.Slice(":3")
	if err != nil {
		log.Fatal(err)
	}
	rows, err := hdf5.ReadStructs[row](d, sel)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		fmt.Printf("%+v\n", r)
	}
	// Output:
	// {ID:0 Name:item000 X:0.5139642693391235 Y:-0.10977201362860867 OK:false}
	// {ID:1 Name:item001 X:0.16015286910425863 Y:0.3951165634009932 OK:true}
	// {ID:2 Name:item002 X:0.06218023947219864 Y:-0.16880011896366143 OK:true}
}
