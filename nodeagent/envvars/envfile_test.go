package envvars

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	file := strings.Join([]string{
		"# comment",
		"",
		"  A='one'",
		"B='multi",
		"line' # trailing comment",
		"EMPTY= 'ignored'",
		"C=''",
	}, "\n")
	tests := []struct {
		file, key, want string
		wantErr         string
		notFound        bool
	}{
		{file: file, key: "A", want: "one"},
		{file: file, key: "B", want: "multi\nline"},
		{file: file, key: "EMPTY", want: ""},
		{file: file, key: "C", want: ""},
		{file: file, key: "NOPE", notFound: true},
		{file: "X=unquoted", key: "X", wantErr: "invalid environment variable format at line 1: value must be enclosed in single quotes"},
		{file: "X", key: "X", wantErr: "invalid environment variable format at line 1: missing '='"},
		{file: "X ='v'", key: "X", wantErr: "invalid environment variable format at line 1: whitespace before '=' is not allowed"},
		{file: "='v'", key: "X", wantErr: "invalid environment variable format at line 1: empty variable name"},
		{file: "X='v' junk", key: "X", wantErr: "invalid environment variable format at line 1: unexpected content after closing quote"},
		{file: "A='a'\nX='open\nmore", key: "X", wantErr: "invalid environment variable format starting at line 2: unclosed single quote"},
	}
	for _, tt := range tests {
		got, err := parseEnvFile(strings.NewReader(tt.file), tt.key)
		switch {
		case tt.notFound:
			if !errors.Is(err, errNotInFile) {
				t.Errorf("%q in %q: err = %v, want not found", tt.key, tt.file, err)
			}
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q in %q: err = %v, want %q", tt.key, tt.file, err, tt.wantErr)
			}
		case err != nil || got != tt.want:
			t.Errorf("%q in %q = %q, %v; want %q", tt.key, tt.file, got, err, tt.want)
		}
	}
}
