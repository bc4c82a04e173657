package httptoken

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"":                  false,
		"Mcp-Param-X":       true,
		"a!#$%&'*+-.^_`|~9": true,
		"two words":         false,
		"colon:":            false,
		"é":                 false,
		"tab\t":             false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
