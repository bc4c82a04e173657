package jsonschema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

type Inner struct {
	Street string `json:"street"`
	City   string `json:"city,omitempty"`
}
type base struct {
	ID      string `json:"id"`
	Created time.Time `json:"created"`
}
type Embeds struct {
	base
	*Inner
	Name string `json:"name"`
	Named Inner `json:"named"`
}
type Node struct {
	Value    int     `json:"value"`
	Children []*Node `json:"children,omitempty"`
}
type Tree struct {
	Root *Node `json:"root"`
	Meta map[string]Node `json:"meta"`
}
type Kinds struct {
	B   bool              `json:"b"`
	I   int               `json:"i"`
	I8  int8              `json:"i8"`
	U   uint              `json:"u"`
	U16 uint16            `json:"u16"`
	F   float64           `json:"f"`
	S   string            `json:"s"`
	P   *string           `json:"p"`
	PO  *string           `json:"po,omitempty"`
	Z   int               `json:"z,omitzero"`
	Bs  []byte            `json:"bs"`
	A   [2]int            `json:"a"`
	M   map[string]int    `json:"m"`
	MI  map[int]bool      `json:"mi"`
	T   time.Time         `json:"t"`
	R   json.RawMessage   `json:"r"`
	Any any               `json:"any"`
	Q   int               `json:"q,string"`
	D   time.Duration     `json:"d"`
	unexported int
	Skip int `json:"-"`
	Dash int `json:"-,"`
	NoTag string
}

func TestZZ(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Embeds](), reflect.TypeFor[Node](), reflect.TypeFor[Tree](), reflect.TypeFor[Kinds](), reflect.TypeFor[struct{}](), reflect.TypeFor[[]Node](), reflect.TypeFor[*int]()} {
		s, err := ForType(typ, nil)
		fmt.Println(typ, err)
		if s != nil {
			fmt.Println(string(s.Raw()))
		}
	}
}
