package object

import (
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Nil is the NIL message: free space in the header.
// Spec 3.0, IV.A.2.a "The NIL Message" (H5.format.html#NILMessage).
type Nil struct{}

// Unknown is a message whose type goh5 does not decode. It is kept as stored.
type Unknown struct {
	Type  MsgType
	Flags uint8
	Raw   []byte
}

// Bogus is the bogus message, used only for testing libhdf5.
// Spec 3.0, IV.A.2.j "The Bogus Message" (H5.format.html#BogusMessage).
type Bogus struct {
	Value uint32 // 0xdeadbeef
}

// DecodeMessage decodes the body of a message of type t, stored at file
// address addr. It returns one of:
//
//	MsgNil            *Nil
//	MsgDataspace      *types.Dataspace
//	MsgLinkInfo       *LinkInfo
//	MsgDatatype       *types.Datatype
//	MsgFillOld        *FillValueOld
//	MsgFill           *FillValue
//	MsgLink           *Link
//	MsgExternal       *External
//	MsgLayout         *Layout
//	MsgBogus          *Bogus
//	MsgGroupInfo      *GroupInfo
//	MsgFilterPipeline *FilterPipeline
//	MsgAttribute      *Attribute
//	MsgComment        *Comment
//	MsgModTimeOld     *ModTime
//	MsgSOHMTable      *SOHMTable
//	MsgContinuation   *Continuation
//	MsgSymbolTable    *SymbolTable
//	MsgModTime        *ModTime
//	MsgBTreeK         *BTreeK
//	MsgDriverInfo     *DriverInfo
//	MsgAttrInfo       *AttrInfo
//	MsgRefCount       *RefCount
//	other types       *Unknown (Flags zero)
//
// The body must not be a shared message encoding (see DecodeShared).
// Byte slices in the result may alias raw. On error the result is nil.
func DecodeMessage(t MsgType, raw []byte, sizes binfmt.Sizes, addr uint64) (any, error) {
	if !sizes.Valid() {
		return nil, binfmt.Errorf(addr, t.String()+" message", "invalid sizes of offsets/lengths %d/%d", sizes.Offsets, sizes.Lengths)
	}
	var (
		v   any
		err error
	)
	switch t {
	case MsgNil:
		return &Nil{}, nil
	case MsgDataspace:
		var s *types.Dataspace
		s, err = types.DecodeDataspace(raw, sizes, addr)
		if err == nil && s == nil {
			err = binfmt.Errorf(addr, "dataspace message", "not decoded")
		}
		v = s
	case MsgDatatype:
		var dt *types.Datatype
		dt, _, err = types.DecodeDatatype(raw, sizes, addr)
		if err == nil && dt == nil {
			err = binfmt.Errorf(addr, "datatype message", "not decoded")
		}
		v = dt
	case MsgLinkInfo:
		v, err = decodeLinkInfo(raw, sizes, addr)
	case MsgFillOld:
		v, err = decodeFillOld(raw, sizes, addr)
	case MsgFill:
		v, err = decodeFill(raw, sizes, addr)
	case MsgLink:
		v, err = decodeLink(raw, sizes, addr)
	case MsgExternal:
		v, err = decodeExternal(raw, sizes, addr)
	case MsgLayout:
		v, err = decodeLayout(raw, sizes, addr)
	case MsgBogus:
		c := binfmt.NewCursor(raw, sizes, addr, "bogus message")
		b := &Bogus{Value: c.Uint32()}
		v, err = b, c.Err()
	case MsgGroupInfo:
		v, err = decodeGroupInfo(raw, sizes, addr)
	case MsgFilterPipeline:
		v, err = decodeFilterPipeline(raw, sizes, addr)
	case MsgAttribute:
		v, err = decodeAttribute(raw, sizes, addr)
	case MsgComment:
		v, err = decodeComment(raw, sizes, addr)
	case MsgModTimeOld:
		v, err = decodeModTimeOld(raw, sizes, addr)
	case MsgSOHMTable:
		v, err = decodeSOHMTableMsg(raw, sizes, addr)
	case MsgContinuation:
		v, err = decodeContinuation(raw, sizes, addr)
	case MsgSymbolTable:
		v, err = decodeSymbolTable(raw, sizes, addr)
	case MsgModTime:
		v, err = decodeModTime(raw, sizes, addr)
	case MsgBTreeK:
		v, err = decodeBTreeK(raw, sizes, addr)
	case MsgDriverInfo:
		v, err = decodeDriverInfo(raw, sizes, addr)
	case MsgAttrInfo:
		v, err = decodeAttrInfo(raw, sizes, addr)
	case MsgRefCount:
		v, err = decodeRefCount(raw, sizes, addr)
	default:
		return &Unknown{Type: t, Raw: raw}, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}
