module github.com/goh5/goh5/bench/peers

go 1.26.0

require (
	github.com/goh5/goh5 v0.0.0
	github.com/scigolib/hdf5 v0.14.1
)

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
)

replace github.com/goh5/goh5 => ../..
