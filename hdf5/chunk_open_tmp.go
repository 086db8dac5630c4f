package hdf5

import (
	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/internal/binfmt"
)

func openChunkIndex(p btree.ChunkParams) (btree.ChunkIndex, error) {
	return nil, &binfmt.UnsupportedError{Feature: "chunk index (pending)"}
}
