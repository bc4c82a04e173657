package jsonschema

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// A structField is a member of the JSON object that encoding/json makes of a struct.
type structField struct {
	name   string       // the JSON name
	tagged bool         // the name comes from a json tag
	index  []int        // the path of field indices from the outer struct, as reflect.Value.FieldByIndex
	typ    reflect.Type // the field's type
	omit   bool         // omitempty or omitzero: the member may be absent
	quoted bool         // the "string" option on a scalar: the value travels as a JSON string
	field  reflect.StructField
	owner  reflect.Type // the struct that declares the field
}

// where names the field in errors: "pkg.Owner.Field".
func (f *structField) where() string {
	return f.owner.String() + "." + f.field.Name
}

// structFields returns the members of the JSON object for struct type t, in the order
// encoding/json writes them, following its rules (encoding/json.Marshal's doc): exported fields
// only; a json tag renames a field, "-" drops it; the fields of an embedded struct without a name
// tag are promoted as if declared in the outer struct, and among fields promoted to the same name
// the shallowest wins, then the tagged one, and if that leaves a tie none of them is kept.
func structFields(t reflect.Type) []structField {
	var fields []structField

	// Walk the embedded structs breadth first, one depth at a time.
	type level struct {
		typ   reflect.Type
		index []int
	}
	current, next := []level{}, []level{{typ: t}}
	var count, nextCount map[reflect.Type]int // how often each struct type occurs at a depth
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := range l.typ.NumField() {
				sf := l.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue // an embedded unexported non-struct type has nothing to offer
					}
					// An embedded unexported struct type may still have exported fields.
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validJSONName(name) {
					name = ""
				}
				index := append(slices.Clip(l.index), i)

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := structField{
						name:   name,
						tagged: name != "",
						index:  index,
						typ:    sf.Type,
						omit:   hasOption(opts, "omitempty") || hasOption(opts, "omitzero"),
						quoted: hasOption(opts, "string") && isQuotable(ft.Kind()),
						field:  sf,
						owner:  l.typ,
					}
					if f.name == "" {
						f.name = sf.Name
					}
					fields = append(fields, f)
					if count[l.typ] > 1 {
						// The embedding struct occurs more than once at this depth: so does
						// the field, which the tie-breaking below must see to drop it.
						fields = append(fields, f)
					}
					continue
				}
				// An embedded struct without a name: look into it at the next depth.
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}

	// Keep, for each name, the dominant field.
	slices.SortStableFunc(fields, func(a, b structField) int {
		return cmp.Or(
			strings.Compare(a.name, b.name),
			cmp.Compare(len(a.index), len(b.index)),
			compareBool(b.tagged, a.tagged), // tagged first
			slices.Compare(a.index, b.index),
		)
	})
	kept := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// fields[i:j] share a name, sorted by depth then tag: the first dominates unless the
		// second is as deep and as tagged.
		if j-i == 1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			kept = append(kept, fields[i])
		}
		i = j
	}
	slices.SortFunc(kept, func(a, b structField) int { return slices.Compare(a.index, b.index) })
	return kept
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// isQuotable reports whether the json "string" option applies to a field of kind k.
func isQuotable(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// validJSONName reports whether encoding/json accepts name from a json tag.
func validJSONName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}
