package envvars

import (
	"strings"
	"unicode/utf8"
)

// Expand replaces each $(NAME) in s by env[NAME]; a reference to an unknown name stays as
// written, $$ is a literal $, and a $ that starts no reference is kept, as the kubelet
// expands command, args and env values.
func Expand(s string, env map[string]string) string {
	return ExpandFunc(s, func(name string) string {
		if v, ok := env[name]; ok {
			return v
		}
		return "$(" + name + ")"
	})
}

// ExpandFunc replaces each $(NAME) in s by mapping(NAME), with Expand's escaping rules.
func ExpandFunc(s string, mapping func(name string) string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		rest := s[i+1:]
		switch r, size := utf8.DecodeRuneInString(rest); r {
		case '$':
			b.WriteByte('$')
			i += 1 + size
		case '(':
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				// An unterminated reference is copied as it is.
				b.WriteString("$(")
				i += 2
				continue
			}
			b.WriteString(mapping(rest[1:end]))
			i += 1 + end + 1
		default:
			b.WriteByte('$')
			b.WriteString(rest[:size])
			i += 1 + size
		}
	}
	return b.String()
}
