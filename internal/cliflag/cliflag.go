package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/httptoken"
	"github.com/minimcp/minimcp/mcp"
)

// ExitUsage is the exit status of a usage mistake, for every minimcp command.
const ExitUsage = 2

// EnvPrefix is the prefix of the environment variables that set flags: --session-idle-timeout
// is also MINIMCP_SESSION_IDLE_TIMEOUT.
const EnvPrefix = "MINIMCP_"

// envNames names the environment variable of a flag whose name alone would not say what
// it holds: --redis takes a URL.
var envNames = map[string]string{"redis": EnvPrefix + "REDIS_URL"}

// EnvName returns the environment variable for a flag name.
func EnvName(flagName string) string {
	if name, ok := envNames[flagName]; ok {
		return name
	}
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ApplyEnv sets every flag of fs not given on the command line from its MINIMCP_*
// environment variable, if set. Call it after fs.Parse. Command-line flags win.
func ApplyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		v, ok := os.LookupEnv(EnvName(f.Name))
		if !ok {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("%s=%q: %v", EnvName(f.Name), v, serr)
		}
	})
	return err
}

// NewFlagSet returns a flag set for a subcommand whose usage lists each flag with its
// environment variable.
func NewFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: minimcp %s\n\nFlags (each also read from the environment variable shown):\n", usage)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(out, "  --%s  [%s]%s\n      %s\n", f.Name, EnvName(f.Name), def, f.Usage)
		})
	}
	return fs
}

/*
Design note: usage errors.

A usage mistake (an unknown flag, a bad value, a missing or extra argument, a URL without a
scheme) gets one line on stderr and exit status 2 (ExitUsage): "minimcp CMD: what is wrong",
then what fixes it, either the way to the flags ("(see minimcp CMD --help)"), the command's
synopsis, or the corrected URL. The flag package would print its own message and then the
whole usage, some forty lines in which the one that matters scrolls away, so Parse holds
its report back and words the error again; -h and --help still print the whole usage.
*/

// Parse parses args with fs: flags may come before or after the positional arguments
// ("tools URL --json"), and everything after "--" is positional. It returns the positional
// arguments and -1, or the exit code to return at once: 0 once -h or --help has printed
// the whole usage, ExitUsage once a bad flag has been reported in one line (see [UsageError]).
// It does not read the environment: call [ApplyEnv] next.
func Parse(fs *flag.FlagSet, args []string) ([]string, int) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	pos, err := parseInterspersed(fs, args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return nil, 0
	case err != nil:
		return nil, UsageError(fs, flagMessage(fs, err))
	}
	return pos, -1
}

// flagMessage words an error of fs.Parse for a user: flags written as the usage writes them
// (--name, or -c for a one-letter name), and what a value should look like.
func flagMessage(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag " + dashed(name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return dashed(name) + " needs a value"
	}
	// `invalid value "x" for flag -name: cause` and `invalid boolean value "x" for -name: cause`.
	rest, ok := strings.CutPrefix(msg, "invalid value ")
	if !ok {
		rest, ok = strings.CutPrefix(msg, "invalid boolean value ")
	}
	if !ok {
		return msg
	}
	i := strings.Index(rest, " for ")
	if i < 0 {
		return msg
	}
	value, rest := rest[:i], strings.TrimPrefix(rest[i+len(" for "):], "flag ")
	name, cause, _ := strings.Cut(strings.TrimPrefix(rest, "-"), ": ")
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case time.Duration:
				cause = "want a duration such as 30s or 1m30s"
			case bool:
				cause = "want true or false"
			case int, int64, uint, uint64:
				cause = "want a whole number"
			case float64:
				cause = "want a number"
			}
		}
	}
	return fmt.Sprintf("invalid value %s for %s: %s", value, dashed(name), cause)
}

// dashed writes a flag name as the usage does: -c, --concurrency.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// UsageError reports a usage error of fs's command in one line, with the way to its flags,
// and returns ExitUsage.
func UsageError(fs *flag.FlagSet, msg string) int {
	return UsageLine(fs, fmt.Sprintf("%s (see minimcp %s --help)", msg, fs.Name()))
}

// UsageLine writes "minimcp CMD: msg" to fs's output and returns ExitUsage.
func UsageLine(fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(fs.Output(), "minimcp %s: %s\n", fs.Name(), msg)
	return ExitUsage
}

// CheckArgs checks the positional arguments pos against a synopsis such as
// "call [flags] URL TOOL [JSON-ARGUMENTS]": after the command's name, each plain word is an
// argument that must be given and each word in brackets one that may be, "[flags]" aside. It
// reports the first missing argument or the first extra one in one line, with the synopsis,
// and returns ExitUsage; it returns -1 when the count is right.
func CheckArgs(fs *flag.FlagSet, pos []string, synopsis string) int {
	words := strings.Fields(synopsis)[1:]
	var need []string
	most := 0
	for _, w := range words {
		if w == "[flags]" {
			continue
		}
		most++
		if !strings.HasPrefix(w, "[") {
			need = append(need, w)
		}
	}
	switch {
	case len(pos) < len(need):
		return UsageLine(fs, fmt.Sprintf("missing %s (usage: minimcp %s)", need[len(pos)], synopsis))
	case len(pos) > most:
		return UsageLine(fs, fmt.Sprintf("unexpected argument %q (usage: minimcp %s)", pos[most], synopsis))
	}
	return -1
}

// CheckURL says what is wrong with an endpoint URL given on the command line, or returns nil
// for an absolute http or https URL with a host. A URL without a scheme
// ("localhost:8080/mcp") gets its http:// form as a suggestion.
func CheckURL(raw string) error {
	if !strings.Contains(raw, "://") {
		if u, err := url.Parse("http://" + raw); err == nil && u.Host != "" && raw != "" {
			return fmt.Errorf("%q has no scheme; did you mean http://%s?", raw, raw)
		}
		return fmt.Errorf("%q is not a URL; want http://host[:port]/path", raw)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%q is not a valid URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", raw)
	case u.Host == "":
		return fmt.Errorf("%q has no host; want %s://host[:port]/path", raw, u.Scheme)
	}
	return nil
}

// StringList is a repeatable string flag.
type StringList []string

func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set appends v; a comma-separated value (as from an environment variable) adds each part.
func (l *StringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// HeaderList is a repeatable flag of "Name: value" headers. Unlike StringList it does not
// split on commas, which header values hold; a value from the environment holds one header
// per line.
type HeaderList []string

func (l *HeaderList) String() string { return strings.Join(*l, "\n") }

// Set appends each non-empty line of v.
func (l *HeaderList) Set(v string) error {
	for _, p := range strings.Split(v, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// ParseLogLevel reads a --log-level value: debug, info, warn or error.
func ParseLogLevel(s string) (slog.Level, bool) {
	switch s {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// Era is --protocol-era of serve and conformance: which protocol revisions the endpoint
// serves (mcp.ServerOptions.ProtocolVersions). Both eras by default, as one endpoint may
// (MCP 2026-07-28, Basic § Versioning, Backward Compatibility: "A dual-era server MAY serve
// both eras concurrently on the same endpoint or process").
type Era string

// Values of Era.
const (
	EraAll    = "all"  // every revision: initialize (2024-11-05 ... 2025-11-25) and per request (2026-07-28)
	EraLegacy = "2025" // the revisions initialize negotiates, 2024-11-05 ... 2025-11-25
	EraModern = "2026" // the per-request revisions, 2026-07-28: no initialize, no sessions
)

func (f *Era) String() string {
	if f == nil || *f == "" {
		return EraAll
	}
	return string(*f)
}

func (f *Era) Set(v string) error {
	switch v {
	case EraAll, EraLegacy, EraModern:
		*f = Era(v)
		return nil
	}
	return fmt.Errorf("want all, 2025 (initialize: %s) or 2026 (per request: %s)",
		strings.Join(mcp.SupportedVersions(), ", "), strings.Join(mcp.ModernVersions(), ", "))
}

// Versions returns the mcp.ServerOptions.ProtocolVersions of the era: nil for all.
func (f Era) Versions() []string {
	switch f {
	case EraLegacy:
		return mcp.SupportedVersions()
	case EraModern:
		return mcp.ModernVersions()
	}
	return nil
}

// EraUsage is the usage text of --protocol-era.
const EraUsage = "protocol revisions served: all, 2025 (initialize and sessions: 2024-11-05 ... 2025-11-25; a 2026-07-28 request gets -32022) or 2026 (per request, 2026-07-28 only; initialize gets -32022 and 400)"

// Headers is a repeatable --header flag of "Name: value" pairs. Unlike [StringList] it does
// not split at commas, which header values may contain; an environment variable holds one
// header per line.
type Headers struct {
	Header http.Header // nil until a header is set
}

func (f *Headers) String() string {
	if f == nil || len(f.Header) == 0 {
		return ""
	}
	var lines []string
	for k, vs := range f.Header {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// Set adds the "Name: value" headers of v, one per line.
func (f *Headers) Set(v string) error {
	for line := range strings.SplitSeq(v, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || !httptoken.Valid(name) {
			return fmt.Errorf("header %q: want 'Name: value'", line)
		}
		if f.Header == nil {
			f.Header = http.Header{}
		}
		f.Header.Add(name, strings.TrimSpace(value))
	}
	return nil
}

// parseInterspersed parses args with fs, allowing flags after positional arguments
// ("tools URL --json") as well as before them, and returns the positional arguments. Everything
// after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// SyncAliases makes each pair of flag names (a short and a long name on the same variable)
// count as given when either was, so that ApplyEnv does not overwrite a command-line value
// with the other name's environment variable.
func SyncAliases(fs *flag.FlagSet, pairs [][2]string) {
	given := Visited(fs)
	for _, p := range pairs {
		switch {
		case given[p[0]] && !given[p[1]]:
			_ = fs.Set(p[1], fs.Lookup(p[0]).Value.String())
		case given[p[1]] && !given[p[0]]:
			_ = fs.Set(p[0], fs.Lookup(p[1]).Value.String())
		}
	}
}

// Visited returns the names of the flags that have been set.
func Visited(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}
