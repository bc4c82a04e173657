// Package txtar reads and writes the txtar archive format used by the golden protocol tests
// (testdata/*.txtar): a free-form comment, then files introduced by "-- name --" lines.
//
// It is the format of golang.org/x/tools/txtar, written here so the module keeps its three
// dependencies.
package txtar

import (
	"bytes"
	"strings"
)

// Archive is a parsed txtar file.
type Archive struct {
	Comment string
	Files   []File
}

// File is one section of an archive.
type File struct {
	Name string
	Data string
}

// Parse reads an archive. Text before the first "-- name --" line is the comment.
func Parse(data []byte) *Archive {
	a := &Archive{}
	var cur *File
	var buf strings.Builder
	flush := func() {
		if cur == nil {
			a.Comment = buf.String()
		} else {
			cur.Data = buf.String()
			a.Files = append(a.Files, *cur)
		}
		buf.Reset()
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if name, ok := marker(line); ok {
			flush()
			cur = &File{Name: name}
			continue
		}
		buf.Write(line)
	}
	flush()
	return a
}

func marker(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

// File returns the data of the named section and whether it exists.
func (a *Archive) File(name string) (string, bool) {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return "", false
}

// Set replaces the data of the named section, adding it if absent.
func (a *Archive) Set(name, data string) {
	for i := range a.Files {
		if a.Files[i].Name == name {
			a.Files[i].Data = data
			return
		}
	}
	a.Files = append(a.Files, File{Name: name, Data: data})
}

// Format writes the archive back in txtar form.
func (a *Archive) Format() []byte {
	var b bytes.Buffer
	b.WriteString(a.Comment)
	for _, f := range a.Files {
		b.WriteString("-- " + f.Name + " --\n")
		b.WriteString(f.Data)
		if f.Data != "" && !strings.HasSuffix(f.Data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}
