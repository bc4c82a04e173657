package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: exec tools.

An exec tool runs one program per call, never through a shell: command[0] is the program,
looked up in PATH (or a path, relative to the manifest) when the manifest loads, and every
other element is one argv element. An element that is exactly "{{name}}" becomes the value of
argument name:

  - a string is the element as is, spaces, quotes, semicolons and all;
  - a number, a boolean or an object is its JSON text (3, 2.5, true, {"a":1});
  - an array becomes one element per item (its items rendered the same way; null items are
    skipped), so ["a","b"] for {{files}} passes two files;
  - an argument that is absent or null, or an empty array, drops the element.

A placeholder inside a larger element ("--file={{file}}") is a manifest error: the rule stays
"one placeholder, one (or n) whole elements", which no value can bend. An optional flag that
takes a value is written as a group, a nested array such as ["-m", "{{max}}"]: the group's
elements are all passed, or, when one of its placeholders has no value, none of them.

The program inherits the server's environment, except minimcp's own settings (MINIMCP_*, where
--auth-token values may be), plus the tool's "env" entries and the call's mark
(MINIMCP_EXEC_CALL). The call's context bounds the run with the tool's timeout. The program
leads a session and a process group of its own (on Unix); the timeout or the client's
cancellation kills the whole group, and so does the program's exit, so a script's background
children do not outlive it. On Linux, descendants that left the group are found and killed
too (runContained; the design note in manifest_exec_linux.go says how, and what escapes).
WaitDelay bounds the wait for pipes that a descendant out of reach keeps open. exec.Cmd
copies the output on goroutines it owns and waits for, so when run returns nothing of the
call is left running. Output beyond maxOutputBytes is read and thrown away (the program never
blocks on a full pipe), and the result says it was cut.

How many programs run at once is bounded per tool (exec.maxProcesses) and for the whole
server (--max-processes): a call beyond either limit waits for a slot, for at most the tool's
timeout, then fails as busy (manifest_exec_limit.go).
*/

// execWaitDelay bounds how long a call waits, after its program exited or was killed, for the
// program's output pipes to close. A variable for tests.
var execWaitDelay = time.Second

// errExecTimeout is the cause of the context of a run that took longer than its timeout.
var errExecTimeout = errors.New("manifest: exec tool timed out")

// execTool is a tool that runs a program with the call's arguments in its argv.
type execTool struct {
	name      string // the tool's name
	program   string // absolute path of the program
	arg0      string // command[0] as written: the program's argv[0]
	argv      []argvItem
	dir       string
	env       []string // "NAME=value" entries added to the server's environment
	timeout   time.Duration
	maxOutput int64
	slots     execSlots  // the tool's own limit of programs at once (exec.maxProcesses)
	limit     *execLimit // the server's (--max-processes), shared by the manifest's exec tools
}

// argvItem is an element of a command after command[0]: a literal, a placeholder, or an
// optional group of literals and placeholders.
type argvItem struct {
	literal string
	arg     string     // the argument a placeholder names; "" for a literal
	group   []argvItem // the members of an optional group; nil otherwise
}

// execTool checks the "exec" member of a tool. checkArgs is false when the input schema was
// unusable, so placeholders cannot be checked against it.
func (c *checker) execTool(o *jsonObject, toolName string, shape inputShape, checkArgs bool, m *Manifest) *execTool {
	x := &execTool{name: toolName, dir: c.dir, limit: m.execLimit}
	ok := true
	cmdPath := o.at("command")
	raw := o.take("command")
	var elems []json.RawMessage
	if kindOf(raw) != '[' || json.Unmarshal(raw, &elems) != nil || len(elems) == 0 {
		c.errorf(cmdPath, "must be a non-empty array of strings")
		ok = false
	}
	for i, e := range elems {
		path := indexPath(cmdPath, i)
		switch {
		case i == 0:
			var prog string
			if kindOf(e) != '"' || json.Unmarshal(e, &prog) != nil || prog == "" {
				c.errorf(path, "the program must be a non-empty string")
				ok = false
				continue
			}
			if placeholderRE.MatchString(prog) {
				c.errorf(path, "the program must be a fixed name or path, not a placeholder")
				ok = false
				continue
			}
			x.arg0 = prog
			if x.program, ok = c.lookProgram(path, prog); !ok {
				continue
			}
		case kindOf(e) == '"':
			var s string
			_ = json.Unmarshal(e, &s)
			it, itOK := c.argvString(path, s, shape, checkArgs)
			ok = ok && itOK
			x.argv = append(x.argv, it)
		case kindOf(e) == '[':
			it, itOK := c.argvGroup(path, e, shape, checkArgs)
			ok = ok && itOK
			x.argv = append(x.argv, it)
		default:
			c.errorf(path, "must be a string, or an array of strings for an optional group")
			ok = false
		}
	}
	if dir, present := o.str("dir"); present {
		x.dir = c.resolve(dir)
		if st, err := os.Stat(x.dir); err != nil {
			c.errorf(o.at("dir"), "%v", err)
			ok = false
		} else if !st.IsDir() {
			c.errorf(o.at("dir"), "%s is not a directory", x.dir)
			ok = false
		}
	}
	values, keys := o.strings("env")
	for _, k := range keys {
		v, present := values[k]
		if !present {
			ok = false
			continue
		}
		path := fieldPath(o.at("env"), k)
		if k == "" || strings.ContainsAny(k, "=\x00") {
			c.errorf(path, "not a valid environment variable name")
			ok = false
			continue
		}
		x.env = append(x.env, k+"="+c.expandEnv(path, v))
	}
	x.timeout = o.duration("timeout", defaultExecTimeout)
	x.maxOutput = o.positive("maxOutputBytes", defaultMaxOutputBytes)
	x.slots = make(execSlots, o.positive("maxProcesses", defaultToolMaxProcesses))
	o.done()
	if !ok {
		return nil
	}
	return x
}

// lookProgram resolves command[0]: a name is looked up in PATH; a path (with a slash) is
// relative to the manifest's directory and must be an executable file.
func (c *checker) lookProgram(path, prog string) (string, bool) {
	if !strings.ContainsRune(prog, '/') && !strings.ContainsRune(prog, filepath.Separator) {
		p, err := exec.LookPath(prog)
		if err != nil {
			c.errorf(path, "program %q not found in PATH", prog)
			return "", false
		}
		if p, err = filepath.Abs(p); err != nil {
			c.errorf(path, "%v", err)
			return "", false
		}
		return p, true
	}
	p := c.resolve(prog)
	st, err := os.Stat(p)
	switch {
	case err != nil:
		c.errorf(path, "%v", err)
		return "", false
	case !st.Mode().IsRegular():
		c.errorf(path, "%s is not a regular file", p)
		return "", false
	case runtime.GOOS != "windows" && st.Mode().Perm()&0o111 == 0:
		c.errorf(path, "%s is not executable", p)
		return "", false
	}
	return p, true
}

// argvString checks a string element of a command.
func (c *checker) argvString(path, s string, shape inputShape, checkArgs bool) (argvItem, bool) {
	if name, ok := wholePlaceholder(s); ok {
		if checkArgs && !c.checkPlaceholder(path, name, shape) {
			return argvItem{}, false
		}
		return argvItem{arg: name}, true
	}
	if m := placeholderRE.FindString(s); m != "" {
		c.errorf(path, "a placeholder must be a whole element, as in %q, not part of %q (see optional groups in docs/manifest.md)", m, s)
		return argvItem{}, false
	}
	return argvItem{literal: s}, true
}

// argvGroup checks an optional group: a non-empty array of strings with a placeholder.
func (c *checker) argvGroup(path string, raw json.RawMessage, shape inputShape, checkArgs bool) (argvItem, bool) {
	var elems []json.RawMessage
	_ = json.Unmarshal(raw, &elems)
	it := argvItem{group: []argvItem{}}
	ok, placeholders := true, 0
	for i, e := range elems {
		var s string
		if kindOf(e) != '"' || json.Unmarshal(e, &s) != nil {
			c.errorf(indexPath(path, i), "must be a string (groups do not nest)")
			ok = false
			continue
		}
		m, mOK := c.argvString(indexPath(path, i), s, shape, checkArgs)
		ok = ok && mOK
		if m.arg != "" {
			placeholders++
		}
		it.group = append(it.group, m)
	}
	if ok && placeholders == 0 {
		c.errorf(path, "an optional group must hold a placeholder, which decides whether the group is passed")
		ok = false
	}
	return it, ok
}

func (x *execTool) handler(logger *slog.Logger) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
		start := time.Now()
		res, err := x.run(ctx, args)
		logger.DebugContext(ctx, "exec tool called", "principal", req.Principal(),
			"duration", time.Since(start), "isError", res != nil && res.IsError, "err", err)
		return res, err
	}
}

// run runs the program once with args, the call's arguments (a JSON object, validated).
func (x *execTool) run(ctx context.Context, args json.RawMessage) (*mcp.CallToolResult, error) {
	var values map[string]json.RawMessage
	if err := json.Unmarshal(args, &values); err != nil {
		return mcp.ErrorResult("arguments must be a JSON object"), nil
	}
	argv, err := x.expand(values)
	if err != nil {
		return mcp.ErrorResult(err.Error()), nil
	}
	release, busy, err := x.acquire(ctx)
	switch {
	case err != nil:
		return nil, err // the client cancelled while the call waited, or the server is shutting down
	case busy != "":
		return mcp.ErrorResult(busy), nil
	}
	defer release()
	ctx, cancel := context.WithTimeoutCause(ctx, x.timeout, errExecTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, x.program, argv...)
	cmd.Args[0] = x.arg0
	cmd.Dir = x.dir
	cmd.Env = x.environ()
	stdout := &cappedBuffer{max: x.maxOutput}
	stderr := &cappedBuffer{max: x.maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	setProcessGroup(cmd)
	cmd.WaitDelay = execWaitDelay
	runErr := runContained(cmd)
	if errors.Is(runErr, exec.ErrWaitDelay) {
		// The program exited but something it started, out of reach, still held its output.
		runErr = nil
	}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
		return mcp.TextResult(stdout.text()), nil
	case errors.Is(context.Cause(ctx), errExecTimeout):
		return failure(fmt.Sprintf("%s timed out after %v and was killed", x.arg0, x.timeout), stderr, stdout), nil
	case ctx.Err() != nil:
		return nil, context.Cause(ctx) // the client cancelled, or the server is shutting down
	case errors.As(runErr, &exitErr):
		return failure(fmt.Sprintf("%s failed: %v", x.arg0, exitErr), stderr, stdout), nil
	}
	return mcp.ErrorResult(fmt.Sprintf("cannot run %s: %v", x.arg0, runErr)), nil
}

// settingsPrefix starts the names of the environment variables that set minimcp's flags
// (MINIMCP_AUTH_TOKEN and the rest); they are minimcp's, not the programs'.
const settingsPrefix = "MINIMCP_"

// environ returns the environment of the program: the server's, without minimcp's own
// settings (MINIMCP_*, which may hold --auth-token values), and then the tool's env entries,
// which win over inherited ones.
func (x *execTool) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, settingsPrefix) {
			env = append(env, kv)
		}
	}
	return append(env, x.env...)
}

// failure is the isError result of a run: what happened and the program's stderr in the first
// text block, its stdout, if any, in a second.
func failure(what string, stderr, stdout *cappedBuffer) *mcp.CallToolResult {
	if s := strings.TrimRight(stderr.text(), "\n"); s != "" {
		what += "\n" + s
	}
	res := mcp.ErrorResult(what)
	if stdout.total > 0 {
		res.Content = append(res.Content, &mcp.TextContent{Text: stdout.text()})
	}
	return res
}

// expand returns the argv of one call: the command's elements after the program, with the
// placeholders replaced by the arguments' values.
func (x *execTool) expand(values map[string]json.RawMessage) ([]string, error) {
	var argv []string
	for _, it := range x.argv {
		if it.group == nil {
			elems, _, err := expandItem(it, values)
			if err != nil {
				return nil, err
			}
			argv = append(argv, elems...)
			continue
		}
		var group []string
		complete := true
		for _, m := range it.group {
			elems, present, err := expandItem(m, values)
			if err != nil {
				return nil, err
			}
			complete = complete && present
			group = append(group, elems...)
		}
		if complete {
			argv = append(argv, group...)
		}
	}
	return argv, nil
}

// expandItem returns the argv elements of one literal or placeholder. present is false for a
// placeholder whose argument is absent, null or an empty array.
func expandItem(it argvItem, values map[string]json.RawMessage) (elems []string, present bool, err error) {
	if it.arg == "" {
		return []string{it.literal}, true, nil
	}
	raw, ok := values[it.arg]
	if !ok || kindOf(raw) == 'n' {
		return nil, false, nil
	}
	if kindOf(raw) != '[' {
		s, err := argText(it.arg, raw)
		if err != nil {
			return nil, false, err
		}
		return []string{s}, true, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false, fmt.Errorf("argument %q: %v", it.arg, err)
	}
	for _, item := range items {
		if kindOf(item) == 'n' {
			continue
		}
		s, err := argText(it.arg, item)
		if err != nil {
			return nil, false, err
		}
		elems = append(elems, s)
	}
	return elems, len(elems) > 0, nil
}

// argText renders one value as an argv element: a string as itself, anything else as its
// compact JSON text.
func argText(name string, raw json.RawMessage) (string, error) {
	var s string
	if kindOf(raw) == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("argument %q: %v", name, err)
		}
	} else {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", fmt.Errorf("argument %q: %v", name, err)
		}
		s = b.String()
	}
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("argument %q: a NUL character cannot be passed to a program", name)
	}
	return s, nil
}

// cappedBuffer keeps the first max bytes written to it and counts the rest, so that a chatty
// program neither blocks on a full pipe nor fills the server's memory. exec.Cmd writes to it
// from one goroutine and Wait returns only after that goroutine is done, so it needs no lock.
type cappedBuffer struct {
	buf   []byte
	max   int64
	total int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.total += int64(len(p))
	if room := b.max - int64(len(b.buf)); room > 0 {
		b.buf = append(b.buf, p[:min(int64(len(p)), room)]...)
	}
	return len(p), nil
}

// text returns what was kept as valid UTF-8, noting a cut.
func (b *cappedBuffer) text() string {
	if b.total == int64(len(b.buf)) {
		return strings.ToValidUTF8(string(b.buf), "\uFFFD")
	}
	return fmt.Sprintf("%s\n[truncated: showing the first %d of %d bytes]", cutText(b.buf), len(b.buf), b.total)
}

// cutText returns the beginning of a longer text as valid UTF-8. A character cut in two at the
// end is left out.
func cutText(kept []byte) string {
	end := len(kept)
	for i := 1; i < utf8.UTFMax && i <= len(kept); i++ {
		if start := len(kept) - i; utf8.RuneStart(kept[start]) {
			if !utf8.FullRune(kept[start:]) {
				end = start
			}
			break
		}
	}
	return strings.ToValidUTF8(string(kept[:end]), "\uFFFD")
}
