package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

// skill checks one element of "skills": a directory holding a SKILL.md (one skill), or a
// directory whose subdirectories hold one each (a skill apiece), served under an optional
// prefix (the skills extension, SEP-2640; see mcp.Skill). Every file is read now: a skill's
// entry carries the digest of each, so what is served is what was loaded.
func (c *checker) skill(path string, raw json.RawMessage, m *Manifest, skillAt map[string]string) {
	o := c.object(path, raw)
	if o == nil {
		return
	}
	if !o.has("dir") {
		o.take("dir")
		c.errorf(o.at("dir"), "is required: a directory holding a SKILL.md, or subdirectories that do")
	}
	dir, dirOK := c.existingPath(o, "dir", true)
	prefix, _ := o.str("prefix")
	o.done()
	if prefix != "" && (strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/")) {
		c.errorf(fieldPath(path, "prefix"), `must be "/"-separated segments with no leading or trailing "/", such as "acme/billing", got %q`, prefix)
		return
	}
	if !dirOK {
		return
	}
	var dirs []string
	if _, err := os.Stat(filepath.Join(dir, "SKILL.md")); err == nil {
		dirs = []string{dir}
	} else {
		entries, err := os.ReadDir(dir)
		if err != nil {
			c.errorf(fieldPath(path, "dir"), "%v", err)
			return
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), "SKILL.md")); err == nil {
					dirs = append(dirs, filepath.Join(dir, e.Name()))
				}
			}
		}
		if len(dirs) == 0 {
			c.errorf(fieldPath(path, "dir"), "%s holds no SKILL.md, and none of its subdirectories does", dir)
			return
		}
	}
	for _, d := range dirs {
		sk, err := loadSkillDir(d, prefix)
		if err == nil {
			err = sk.Validate()
		}
		if err != nil {
			c.errorf(fieldPath(path, "dir"), "%s: %s", d, strings.TrimPrefix(err.Error(), "mcp: "))
			continue
		}
		if prev, dup := skillAt[sk.URI()]; dup {
			c.errorf(fieldPath(path, "dir"), "%s: a second skill at %s (also %s)", d, sk.URI(), prev)
			continue
		}
		skillAt[sk.URI()] = path
		m.skills = append(m.skills, sk)
	}
}

// loadSkillDir reads the skill in dir: every regular file under it, but for names beginning
// with "." (.git, .DS_Store), within the limits of one skill. Its name is the directory's.
func loadSkillDir(dir, prefix string) (*mcp.Skill, error) {
	sk := &mcp.Skill{Path: filepath.Base(dir)}
	if prefix != "" {
		sk.Path = prefix + "/" + sk.Path
	}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			// A link could reach outside the skill's directory; what is served is what is
			// inside it.
			return fmt.Errorf("%s is a symbolic link, which a skill may not hold", p)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", p)
		}
		if len(sk.Files) == mcp.MaxSkillFiles {
			return fmt.Errorf("more than the %d files a skill may have", mcp.MaxSkillFiles)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > mcp.MaxSkillBytes {
			return fmt.Errorf("more than the %d bytes of files a skill may hold", mcp.MaxSkillBytes)
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sk.Files = append(sk.Files, mcp.SkillFile{Path: filepath.ToSlash(rel), Content: content})
		return nil
	})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, err
	}
	return sk, nil
}
