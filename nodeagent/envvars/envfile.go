package envvars

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// errNotInFile is parseEnvFile's answer for a key the file does not set.
var errNotInFile = errors.New("key not in file")

// fileValue reads key from the env file at rel inside volume dir (fileKeyRef). The path
// may not leave the volume through symlinks.
func fileValue(dir, rel, key string) (string, string, error) {
	full := filepath.Join(dir, rel)
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", full, err
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", full, fmt.Errorf("failed to open environment variable file %q: %w", full, err)
	}
	if !strings.HasPrefix(resolved, root+string(os.PathSeparator)) {
		return "", full, fmt.Errorf("environment variable file %q is outside its volume", rel)
	}
	f, err := os.Open(resolved)
	if err != nil {
		return "", full, fmt.Errorf("failed to open environment variable file %q: %w", full, err)
	}
	defer func() { _ = f.Close() }()
	v, err := parseEnvFile(f, key)
	return v, full, err
}

// parseEnvFile finds key in an env file in upstream's format: KEY='value' lines (values
// may span lines until the closing quote), blank lines and # comments; KEY= followed by
// whitespace means empty. It returns errNotInFile when key is not set.
func parseEnvFile(r io.Reader, key string) (string, error) {
	scanner := bufio.NewScanner(r)
	line := 0
	for scanner.Scan() {
		line++
		text := strings.TrimLeft(scanner.Text(), " \t")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, value, ok := strings.Cut(text, "=")
		if !ok {
			return "", fmt.Errorf("invalid environment variable format at line %d: missing '='", line)
		}
		if strings.TrimRight(name, " \t") == "" {
			return "", fmt.Errorf("invalid environment variable format at line %d: empty variable name", line)
		}
		if strings.TrimRight(name, " \t") != name {
			return "", fmt.Errorf("invalid environment variable format at line %d: whitespace before '=' is not allowed", line)
		}
		if trimmed := strings.TrimLeft(value, " \t"); trimmed != value {
			if name == key {
				return "", nil
			}
			continue
		}
		if !strings.HasPrefix(value, "'") {
			return "", fmt.Errorf("invalid environment variable format at line %d: value must be enclosed in single quotes", line)
		}
		var b strings.Builder
		rest, start := value[1:], line
		for {
			if end := strings.IndexByte(rest, '\''); end >= 0 {
				b.WriteString(rest[:end])
				after := strings.TrimLeft(rest[end+1:], " \t")
				if after != "" && !strings.HasPrefix(after, "#") {
					return "", fmt.Errorf("invalid environment variable format at line %d: unexpected content after closing quote", line)
				}
				break
			}
			b.WriteString(rest)
			b.WriteByte('\n')
			if !scanner.Scan() {
				return "", fmt.Errorf("invalid environment variable format starting at line %d: unclosed single quote", start)
			}
			line++
			rest = scanner.Text()
		}
		if name == key {
			return b.String(), nil
		}
	}
	if err := scanner.Err(); err != nil {
		return "", err
	}
	return "", errNotInFile
}
