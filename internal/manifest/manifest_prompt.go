package manifest

import (
	"context"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

// templatePrompt is a prompt rendered from text templates.
type templatePrompt struct {
	prompt   mcp.Prompt
	messages []promptMessage
}

// promptMessage is one message of a prompt, with {{arg}} placeholders.
type promptMessage struct {
	role mcp.Role
	text string
}

// prompt checks one element of "prompts".
func (c *checker) prompt(path string, raw json.RawMessage) *templatePrompt {
	o := c.object(path, raw)
	if o == nil {
		return nil
	}
	p := &templatePrompt{}
	name, ok := o.requiredStr("name")
	p.prompt.Name = name
	p.prompt.Title, _ = o.str("title")
	p.prompt.Description, _ = o.str("description")
	p.prompt.Scopes = o.scopes()
	declared := map[string]bool{}
	if args, isArr := o.array("arguments"); isArr {
		for i, raw := range args {
			ap := indexPath(o.at("arguments"), i)
			a := c.object(ap, raw)
			if a == nil {
				ok = false
				continue
			}
			var arg mcp.PromptArgument
			var argOK bool
			arg.Name, argOK = a.requiredStr("name")
			arg.Title, _ = a.str("title")
			arg.Description, _ = a.str("description")
			arg.Required, _ = a.boolean("required")
			a.done()
			switch {
			case !argOK:
				ok = false
			case declared[arg.Name]:
				c.errorf(ap+".name", "duplicate argument %q", arg.Name)
				ok = false
			default:
				declared[arg.Name] = true
				p.prompt.Arguments = append(p.prompt.Arguments, arg)
			}
		}
	}
	hasTemplate, hasMessages := o.has("template"), o.has("messages")
	switch {
	case hasTemplate == hasMessages:
		o.take("template")
		o.take("messages")
		c.errorf(path, `must have exactly one of "template" (one user message) and "messages"`)
		ok = false
	case hasTemplate:
		text, isStr := o.str("template")
		ok = isStr && c.checkPromptText(o.at("template"), text, declared) && ok
		p.messages = []promptMessage{{role: mcp.RoleUser, text: text}}
	default:
		msgs, isArr := o.array("messages")
		if isArr && len(msgs) == 0 {
			c.errorf(o.at("messages"), "must not be empty")
		}
		ok = ok && isArr && len(msgs) > 0
		for i, raw := range msgs {
			mp := indexPath(o.at("messages"), i)
			mo := c.object(mp, raw)
			if mo == nil {
				ok = false
				continue
			}
			role, roleOK := mo.requiredStr("role")
			if roleOK && role != string(mcp.RoleUser) && role != string(mcp.RoleAssistant) {
				c.errorf(mo.at("role"), `must be "user" or "assistant", got %q`, role)
				roleOK = false
			}
			text, textOK := mo.str("text")
			if !mo.has("text") && !textOK {
				c.errorf(mo.at("text"), "is required")
			}
			textOK = textOK && c.checkPromptText(mo.at("text"), text, declared)
			mo.done()
			ok = ok && roleOK && textOK
			p.messages = append(p.messages, promptMessage{role: mcp.Role(role), text: text})
		}
	}
	o.done()
	if !ok {
		return nil
	}
	return p
}

// checkPromptText reports placeholders in text that name no argument of the prompt.
func (c *checker) checkPromptText(path, text string, declared map[string]bool) bool {
	ok := true
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !declared[m[1]] {
			c.errorf(path, "{{%s}} is not one of the prompt's arguments", m[1])
			ok = false
		}
	}
	return ok
}

// get renders the prompt. Arguments the client left out are empty.
func (p *templatePrompt) get(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
	res := &mcp.GetPromptResult{Description: p.prompt.Description}
	for _, m := range p.messages {
		text := placeholderRE.ReplaceAllStringFunc(m.text, func(ph string) string {
			return args[placeholderRE.FindStringSubmatch(ph)[1]]
		})
		res.Messages = append(res.Messages, mcp.PromptMessage{Role: m.role, Content: &mcp.TextContent{Text: text}})
	}
	return res, nil
}
