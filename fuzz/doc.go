// Package fuzz holds the fuzz targets of minimcp, one file per package under
// test (sse_test.go for package sse, ...). Each target checks a property, such
// as a round trip or the absence of panics, and its seed corpus and any
// crashers found are committed under testdata/fuzz/<target>/.
//
// Run one target with, for example:
//
//	go test -run '^$' -fuzz '^FuzzSSERoundTrip$' -fuzztime 60s ./fuzz/
package fuzz
