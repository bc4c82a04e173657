package jsonschema

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"
	"unsafe"

	gojson "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type address struct {
	Street string `json:"street"`
	City   string `json:"city,omitempty"`
}

type audit struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
}

type embeds struct {
	audit
	*address
	Name  string  `json:"name"`
	Named address `json:"named"`
}

type shadow struct {
	audit
	ID int `json:"id"` // the shallower field wins
}

type idString struct{ ID string }

type idInt struct{ ID int }

type idTagged struct {
	ID bool `json:"ID"`
}

// conflict has two untagged fields named ID at the same depth: neither is kept.
type conflict struct {
	idString
	idInt
	Kept bool `json:"kept"`
}

// tagWins has an untagged and a tagged field named ID at the same depth: the tagged one wins.
type tagWins struct {
	idInt
	idTagged
}

type treeNode struct {
	Value    int         `json:"value"`
	Children []*treeNode `json:"children,omitempty"`
}

type tree struct {
	Root *treeNode           `json:"root"`
	Meta map[string]treeNode `json:"meta,omitempty"`
}

type list []list

type kinds struct {
	B          bool            `json:"b"`
	I          int             `json:"i"`
	I8         int8            `json:"i8"`
	I16        int16           `json:"i16"`
	I32        int32           `json:"i32"`
	I64        int64           `json:"i64"`
	U          uint            `json:"u"`
	U8         uint8           `json:"u8"`
	U32        uint32          `json:"u32"`
	F32        float32         `json:"f32"`
	F64        float64         `json:"f64"`
	S          string          `json:"s"`
	P          *string         `json:"p"`
	PP         **int           `json:"pp,omitempty"`
	Z          int             `json:"z,omitzero"`
	Bytes      []byte          `json:"bytes"`
	Arr        [2]int          `json:"arr"`
	Strs       []string        `json:"strs"`
	Map        map[string]int  `json:"map"`
	IntKeys    map[int]bool    `json:"intKeys"`
	T          time.Time       `json:"t"`
	Raw        json.RawMessage `json:"raw"`
	GoccyRaw   gojson.RawMessage
	Any        any           `json:"any"`
	Err        error         `json:"err,omitempty"`
	Quoted     int           `json:"quoted,string"`
	Dur        time.Duration `json:"dur"`
	IP         net.IP        `json:"ip"`
	Big        *big.Int      `json:"big"`
	unexported int
	Skip       int `json:"-"`
	Dash       int `json:"-,"`
	NoTag      string
}

type tags struct {
	Mode    string   `json:"mode" jsonschema:"enum=fast|slow,default=fast" description:"How fast, in words: fast, or slow."`
	Count   int      `json:"count,omitempty" jsonschema:"minimum=1,maximum=5,title=Count"`
	Ratio   float64  `json:"ratio" jsonschema:"exclusiveMinimum=0,exclusiveMaximum=1.5,default=0.5"`
	Level   uint8    `json:"level" jsonschema:"enum=1|2|3"`
	Code    string   `json:"code" jsonschema:"pattern=^\\d{1\\,3}$,minLength=1,maxLength=3"`
	Sep     string   `json:"sep" jsonschema:"enum=\\,|\\||a\\\\b"`
	On      bool     `json:"on" jsonschema:"default=true"`
	Items   []string `json:"items" jsonschema:"minItems=1,maxItems=3"`
	Website string   `json:"website" jsonschema:"format=uri,title=Home page\\, if any"`
	Ptr     *int     `json:"ptr,omitempty" jsonschema:"minimum=-1"`
	Lenient int      `json:"lenient,string" jsonschema:"enum=1|2"`
}

func TestForGolden(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		opts *InferOptions
		want string
	}{
		{"empty struct", reflect.TypeFor[struct{}](), nil, `{"type":"object"}`},
		{"struct", reflect.TypeFor[address](), nil,
			`{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street"]}`},
		{"pointer to struct", reflect.TypeFor[*address](), nil,
			`{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street"]}`},
		{"forbid additional", reflect.TypeFor[struct {
			A address `json:"a"`
			M map[string]int
		}](), &InferOptions{ForbidAdditionalProperties: true},
			`{"type":"object","properties":{"a":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street"],"additionalProperties":false},` +
				`"M":{"type":"object","additionalProperties":{"type":"integer"}}},"required":["a","M"],"additionalProperties":false}`},
		{"embedded", reflect.TypeFor[embeds](), nil,
			`{"type":"object","properties":{"id":{"type":"string"},"created":{"type":"string","format":"date-time"},"street":{"type":"string"},"city":{"type":"string"},` +
				`"name":{"type":"string"},"named":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street"]}},` +
				`"required":["id","created","street","name","named"]}`},
		{"embedded shadowed", reflect.TypeFor[shadow](), nil,
			`{"type":"object","properties":{"created":{"type":"string","format":"date-time"},"id":{"type":"integer"}},"required":["created","id"]}`},
		{"embedded conflict", reflect.TypeFor[conflict](), nil,
			`{"type":"object","properties":{"kept":{"type":"boolean"}},"required":["kept"]}`},
		{"embedded tag wins", reflect.TypeFor[tagWins](), nil,
			`{"type":"object","properties":{"ID":{"type":"boolean"}},"required":["ID"]}`},
		{"recursive root", reflect.TypeFor[treeNode](), nil,
			`{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["value"]}`},
		{"recursive defs", reflect.TypeFor[tree](), nil,
			`{"type":"object","properties":{"root":{"$ref":"#/$defs/treeNode"},"meta":{"type":"object","additionalProperties":{"$ref":"#/$defs/treeNode"}}},"required":["root"],` +
				`"$defs":{"treeNode":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/treeNode"}}},"required":["value"]}}}`},
		{"recursive slice type", reflect.TypeFor[list](), nil, `{"type":"array","items":{"$ref":"#"}}`},
		{"slice of recursive", reflect.TypeFor[[]treeNode](), nil,
			`{"type":"array","items":{"$ref":"#/$defs/treeNode"},"$defs":{"treeNode":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/treeNode"}}},"required":["value"]}}}`},
		{"kinds", reflect.TypeFor[kinds](), nil, `{"type":"object","properties":{` +
			`"b":{"type":"boolean"},"i":{"type":"integer"},` +
			`"i8":{"type":"integer","minimum":-128,"maximum":127},` +
			`"i16":{"type":"integer","minimum":-32768,"maximum":32767},` +
			`"i32":{"type":"integer","minimum":-2147483648,"maximum":2147483647},` +
			`"i64":{"type":"integer"},"u":{"type":"integer","minimum":0},` +
			`"u8":{"type":"integer","minimum":0,"maximum":255},` +
			`"u32":{"type":"integer","minimum":0,"maximum":4294967295},` +
			`"f32":{"type":"number"},"f64":{"type":"number"},"s":{"type":"string"},"p":{"type":"string"},"pp":{"type":"integer"},"z":{"type":"integer"},` +
			`"bytes":{"type":"string","contentEncoding":"base64"},` +
			`"arr":{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":2},` +
			`"strs":{"type":"array","items":{"type":"string"}},` +
			`"map":{"type":"object","additionalProperties":{"type":"integer"}},` +
			`"intKeys":{"type":"object","additionalProperties":{"type":"boolean"}},` +
			`"t":{"type":"string","format":"date-time"},"raw":{},"GoccyRaw":{},"any":{},"err":{},"quoted":{"type":"string"},"dur":{"type":"integer"},` +
			`"ip":{"type":"string"},"big":{},"-":{"type":"integer"},"NoTag":{"type":"string"}},` +
			`"required":["b","i","i8","i16","i32","i64","u","u8","u32","f32","f64","s","p","bytes","arr","strs","map","intKeys","t","raw","GoccyRaw","any","quoted","dur","ip","big","-","NoTag"]}`},
		{"tags", reflect.TypeFor[tags](), nil, `{"type":"object","properties":{` +
			`"mode":{"type":"string","description":"How fast, in words: fast, or slow.","enum":["fast","slow"],"default":"fast"},` +
			`"count":{"type":"integer","title":"Count","minimum":1,"maximum":5},` +
			`"ratio":{"type":"number","default":0.5,"exclusiveMinimum":0,"exclusiveMaximum":1.5},` +
			`"level":{"type":"integer","enum":[1,2,3],"minimum":0,"maximum":255},` +
			`"code":{"type":"string","minLength":1,"maxLength":3,"pattern":"^\\d{1,3}$"},` +
			`"sep":{"type":"string","enum":[",","|","a\\b"]},` +
			`"on":{"type":"boolean","default":true},` +
			`"items":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3},` +
			`"website":{"type":"string","format":"uri","title":"Home page, if any"},` +
			`"ptr":{"type":"integer","minimum":-1},` +
			`"lenient":{"type":"string","enum":["1","2"]}},` +
			`"required":["mode","ratio","level","code","sep","on","items","website","lenient"]}`},
		{"string", reflect.TypeFor[string](), nil, `{"type":"string"}`},
		{"pointer to int", reflect.TypeFor[*int](), nil, `{"type":"integer"}`},
		{"any", reflect.TypeFor[any](), nil, `{}`},
		{"time", reflect.TypeFor[time.Time](), nil, `{"type":"string","format":"date-time"}`},
		{"map", reflect.TypeFor[map[string][]float64](), nil, `{"type":"object","additionalProperties":{"type":"array","items":{"type":"number"}}}`},
		{"jsonschema tag as free text (go-sdk)", reflect.TypeFor[struct {
			A string `json:"a" jsonschema:"the user's name, as they write it"`
			B int    `json:"b" jsonschema:"Count: how many; at least 1=one"`
			C bool   `json:"c" jsonschema:"enabled"`
		}](), nil, `{"type":"object","properties":{"a":{"type":"string","description":"the user's name, as they write it"},` +
			`"b":{"type":"integer","description":"Count: how many; at least 1=one"},"c":{"type":"boolean","description":"enabled"}},"required":["a","b","c"]}`},
		{"description escapes", reflect.TypeFor[struct {
			A string `json:"a" description:"say \"hi\"\n\ttab <b>&</b> é"`
		}](), nil, `{"type":"object","properties":{"a":{"type":"string","description":"say \"hi\"\n\ttab <b>&</b> é"}},"required":["a"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ForType(tc.typ, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(s.Raw()))
			require.True(t, json.Valid(s.Raw()))

			again, err := ForType(tc.typ, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, string(s.Raw()), string(again.Raw()), "not deterministic")
		})
	}
}

// TestForDefNames checks that two recursive types of the same name get distinct $defs names.
func TestForDefNames(t *testing.T) {
	type treeNode struct {
		Next *treeNode `json:"next,omitempty"`
	}
	type both struct {
		A treeNode  `json:"a"`
		B *treeNode `json:"b"`
		C []both    `json:"c,omitempty"`
	}
	s, err := For[both](nil)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"object","properties":{"a":{"$ref":"#/$defs/treeNode"},"b":{"$ref":"#/$defs/treeNode"},"c":{"type":"array","items":{"$ref":"#"}}},"required":["a","b"],`+
		`"$defs":{"treeNode":{"type":"object","properties":{"next":{"$ref":"#/$defs/treeNode"}}}}}`, string(s.Raw()))

	type pair struct {
		Local  treeNode          `json:"local"`
		Global jsonschemaNodeRef `json:"global"`
	}
	s, err = For[pair](nil)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"object","properties":{"local":{"$ref":"#/$defs/treeNode"},"global":{"$ref":"#/$defs/treeNode_2"}},"required":["local","global"],`+
		`"$defs":{"treeNode":{"type":"object","properties":{"next":{"$ref":"#/$defs/treeNode"}}},`+
		`"treeNode_2":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/treeNode_2"}}},"required":["value"]}}}`, string(s.Raw()))
}

// jsonschemaNodeRef is the package-level treeNode under another name in this file's scope.
type jsonschemaNodeRef = treeNode

func TestForIsObject(t *testing.T) {
	s, err := For[address](nil)
	require.NoError(t, err)
	assert.True(t, s.IsObject())
	s, err = For[struct{}](nil)
	require.NoError(t, err)
	assert.True(t, s.IsObject())
	s, err = For[[]int](nil)
	require.NoError(t, err)
	assert.False(t, s.IsObject())
}

type badChan struct {
	C chan int `json:"c"`
}

type badNested struct {
	OK    string `json:"ok"`
	Inner struct {
		F func() `json:"f"`
	} `json:"inner"`
}

func TestForErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"nil", nil, `jsonschema: nil type`},
		{"chan root", reflect.TypeFor[chan int](), `jsonschema: unsupported type chan int`},
		{"chan field", reflect.TypeFor[badChan](), `jsonschema: jsonschema.badChan.C: unsupported type chan int`},
		{"func nested", reflect.TypeFor[badNested](), `jsonschema: struct { F func() "json:\"f\"" }.F: unsupported type func()`},
		{"complex in slice", reflect.TypeFor[struct{ X []complex128 }](), `jsonschema: struct { X []complex128 }.X: unsupported type complex128`},
		{"unsafe pointer", reflect.TypeFor[struct{ P unsafe.Pointer }](), `jsonschema: struct { P unsafe.Pointer }.P: unsupported type unsafe.Pointer`},
		{"map key", reflect.TypeFor[struct{ M map[[2]int]int }](), `jsonschema: struct { M map[[2]int]int }.M: unsupported type map[[2]int]int (map key type [2]int)`},
		{"minimum abc", reflect.TypeFor[struct {
			N int `jsonschema:"minimum=abc"`
		}](), `jsonschema: struct { N int "jsonschema:\"minimum=abc\"" }.N: invalid jsonschema tag: minimum "abc": not a finite number`},
		{"enum on bool", reflect.TypeFor[struct {
			B bool `jsonschema:"enum=true"`
		}](), `jsonschema: struct { B bool "jsonschema:\"enum=true\"" }.B: invalid jsonschema tag: enum does not apply to boolean (field type bool)`},
		{"enum out of range", reflect.TypeFor[struct {
			U uint8 `jsonschema:"enum=1|256"`
		}](), `jsonschema: struct { U uint8 "jsonschema:\"enum=1|256\"" }.U: invalid jsonschema tag: enum value "256": not an integer in the range of uint8`},
		{"default not bool", reflect.TypeFor[struct {
			B bool `jsonschema:"default=yes"`
		}](), `jsonschema: struct { B bool "jsonschema:\"default=yes\"" }.B: invalid jsonschema tag: default "yes": not a boolean (true or false)`},
		{"minLength on int", reflect.TypeFor[struct {
			N int `jsonschema:"minLength=1"`
		}](), `jsonschema: struct { N int "jsonschema:\"minLength=1\"" }.N: invalid jsonschema tag: minLength does not apply to integer (field type int)`},
		{"minLength negative", reflect.TypeFor[struct {
			S string `jsonschema:"minLength=-1"`
		}](), `jsonschema: struct { S string "jsonschema:\"minLength=-1\"" }.S: invalid jsonschema tag: minLength "-1" is not a non-negative integer`},
		{"bad pattern", reflect.TypeFor[struct {
			S string `jsonschema:"pattern=(?=x)"`
		}](), "jsonschema: struct { S string \"jsonschema:\\\"pattern=(?=x)\\\"\" }.S: invalid jsonschema tag: pattern \"(?=x)\": error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{"unknown keyword", reflect.TypeFor[struct {
			S string `jsonschema:"required=true"`
		}](), `jsonschema: struct { S string "jsonschema:\"required=true\"" }.S: invalid jsonschema tag: unknown keyword "required"`},
		{"not key=value after a keyword", reflect.TypeFor[struct {
			S string `jsonschema:"title=t,oops"`
		}](), `jsonschema: struct { S string "jsonschema:\"title=t,oops\"" }.S: invalid jsonschema tag: "oops" is not keyword=value`},
		{"description twice", reflect.TypeFor[struct {
			S string `jsonschema:"free text" description:"more text"`
		}](), `jsonschema: struct { S string "jsonschema:\"free text\" description:\"more text\"" }.S: invalid jsonschema tag: a description both in the jsonschema tag and in the description tag`},
		{"twice", reflect.TypeFor[struct {
			S string `jsonschema:"title=a,title=b"`
		}](), `jsonschema: struct { S string "jsonschema:\"title=a,title=b\"" }.S: invalid jsonschema tag: title given twice`},
		{"min above max", reflect.TypeFor[struct {
			N float64 `jsonschema:"minimum=2,maximum=1"`
		}](), `jsonschema: struct { N float64 "jsonschema:\"minimum=2,maximum=1\"" }.N: invalid jsonschema tag: minimum 2 is greater than maximum 1`},
		{"enum on any", reflect.TypeFor[struct {
			A any `jsonschema:"enum=a"`
		}](), `jsonschema: struct { A interface {} "jsonschema:\"enum=a\"" }.A: invalid jsonschema tag: enum does not apply to a schema without a type (field type interface {})`},
		{"named type field", reflect.TypeFor[struct{ B badTag }](), `jsonschema: jsonschema.badTag.N: invalid jsonschema tag: maxItems does not apply to integer (field type int)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ForType(tc.typ, nil)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

type badTag struct {
	N int `json:"n" jsonschema:"maxItems=1"`
}

// TestForAgreesWithEncodingJSON checks the inferred schemas against what encoding/json writes:
// the members of a struct, in order, and values that validate.
func TestForAgreesWithEncodingJSON(t *testing.T) {
	s, i := "s", 7
	pi := &i
	values := []any{
		address{Street: "1 Main St"},
		embeds{audit: audit{ID: "x"}, address: &address{Street: "y", City: "z"}, Name: "n"},
		shadow{ID: 3},
		conflict{Kept: true},
		tagWins{idTagged: idTagged{ID: true}},
		treeNode{Value: 1, Children: []*treeNode{{Value: 2}}},
		tree{Root: &treeNode{Value: 1}, Meta: map[string]treeNode{"a": {Value: 2}}},
		kinds{P: &s, PP: &pi, Bytes: []byte("hi"), Strs: []string{}, Map: map[string]int{"a": 1}, IntKeys: map[int]bool{1: true},
			Raw: json.RawMessage(`{"x":1}`), GoccyRaw: gojson.RawMessage(`[]`), Any: []int{1}, IP: net.IPv4(1, 2, 3, 4), Big: big.NewInt(5)},
		tags{Mode: "fast", Ratio: 0.5, Level: 2, Code: "12", Sep: "|", Items: []string{"a"}, Lenient: 2},
	}
	for _, v := range values {
		typ := reflect.TypeOf(v)
		t.Run(typ.String(), func(t *testing.T) {
			schema, err := ForType(typ, nil)
			require.NoError(t, err)
			out, err := json.Marshal(v)
			require.NoError(t, err)
			assert.NoError(t, schema.Validate(out), "%s", out)

			// The members encoding/json writes for a struct are the properties, in order.
			var names []string
			for _, f := range structFields(typ) {
				names = append(names, f.name)
			}
			var keys []string
			dec := json.NewDecoder(bytes.NewReader(out))
			_, _ = dec.Token()
			for dec.More() {
				tok, err := dec.Token()
				require.NoError(t, err)
				keys = append(keys, tok.(string))
				var skip json.RawMessage
				require.NoError(t, dec.Decode(&skip))
			}
			assert.Subset(t, names, keys)
			assert.Equal(t, filter(names, keys), keys, "order")
		})
	}
}

// filter keeps the names that are in keys, in their order.
func filter(names, keys []string) []string {
	var out []string
	for _, n := range names {
		for _, k := range keys {
			if n == k {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func TestForConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, err := For[tree](nil)
			assert.NoError(t, err)
			assert.NotNil(t, s)
		})
	}
	wg.Wait()
}

type benchArgs struct {
	Query    string            `json:"query" description:"What to search for."`
	Limit    int               `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=10"`
	Mode     string            `json:"mode,omitempty" jsonschema:"enum=fast|thorough"`
	Tags     []string          `json:"tags,omitempty"`
	Since    time.Time         `json:"since,omitzero"`
	Filters  map[string]string `json:"filters,omitempty"`
	Location *address          `json:"location,omitempty"`
}

func BenchmarkInfer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := For[benchArgs](nil); err != nil {
			b.Fatal(err)
		}
	}
}
