package volumes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestValidatePath(t *testing.T) {
	tests := []struct{ path, wantErr string }{
		{path: "a"},
		{path: "a/b/c"},
		{path: "..a", wantErr: "invalid path: must not start with '..': ..a"},
		{path: "a/..b"},
		{path: "", wantErr: `invalid path: must not be empty: ""`},
		{path: "/abs", wantErr: "invalid path: must be relative path: /abs"},
		{path: "a/../b", wantErr: "invalid path: must not contain '..': a/../b"},
		{path: "..data/x", wantErr: "invalid path: must not start with '..': ..data/x"},
		{path: strings.Repeat("x", 256), wantErr: "invalid path: filenames must be less than or equal to 255 characters"},
		{path: strings.Repeat("x/", 2049), wantErr: "invalid path: must be less than or equal to 4096 characters"},
	}
	for _, tt := range tests {
		err := validatePath(tt.path)
		if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("validatePath(%.20q) = %v, want %q", tt.path, err, tt.wantErr)
		}
	}
}

// readVolume returns what a container would see: every visible file's content and mode.
func readVolume(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(rel string)
	walk = func(rel string) {
		full := filepath.Join(dir, rel)
		info, err := os.Stat(full)
		if err != nil {
			t.Fatal(err)
		}
		if info.IsDir() {
			sub, _ := os.ReadDir(full)
			for _, e := range sub {
				walk(filepath.Join(rel, e.Name()))
			}
			return
		}
		data, err := os.ReadFile(full)
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = info.Mode().Perm().String() + " " + string(data)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "..") {
			walk(e.Name())
		}
	}
	return out
}

func TestAtomicWriter(t *testing.T) {
	type step struct {
		payload   map[string]File
		want      map[string]string
		published bool
	}
	f := func(data string, mode int32) File { return File{Data: []byte(data), Mode: mode} }
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "write, unchanged, update, remove a key",
			steps: []step{
				{payload: map[string]File{"a": f("1", 0o644), "b": f("2", 0o644)}, want: map[string]string{"a": "-rw-r--r-- 1", "b": "-rw-r--r-- 2"}, published: true},
				{payload: map[string]File{"a": f("1", 0o644), "b": f("2", 0o644)}, want: map[string]string{"a": "-rw-r--r-- 1", "b": "-rw-r--r-- 2"}},
				{payload: map[string]File{"a": f("1", 0o644), "b": f("22", 0o644)}, want: map[string]string{"a": "-rw-r--r-- 1", "b": "-rw-r--r-- 22"}, published: true},
				{payload: map[string]File{"b": f("22", 0o644)}, want: map[string]string{"b": "-rw-r--r-- 22"}, published: true},
			},
		},
		{
			name: "nested paths and a mode change",
			steps: []step{
				{payload: map[string]File{"d/x": f("x", 0o400), "d/e/y": f("y", 0o644)}, want: map[string]string{"d/x": "-r-------- x", "d/e/y": "-rw-r--r-- y"}, published: true},
				{payload: map[string]File{"d/x": f("x", 0o440)}, want: map[string]string{"d/x": "-r--r----- x"}, published: true},
			},
		},
		{
			name: "empty payload",
			steps: []step{
				{payload: map[string]File{}, want: map[string]string{}, published: true},
				{payload: map[string]File{}, want: map[string]string{}},
				{payload: map[string]File{"k": f("v", 0o644)}, want: map[string]string{"k": "-rw-r--r-- v"}, published: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clk := clocktesting.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			w := atomicWriter{dir: dir, clock: clk}
			for i, s := range tt.steps {
				published, err := w.Write(s.payload, nil)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if published != s.published {
					t.Errorf("step %d: published = %v, want %v", i, published, s.published)
				}
				if diff := cmp.Diff(s.want, readVolume(t, dir)); diff != "" {
					t.Errorf("step %d (-want +got):\n%s", i, diff)
				}
				link, err := os.Readlink(filepath.Join(dir, dataDirName))
				if err != nil || !strings.HasPrefix(link, "..2026_01_02_03_04_0") {
					t.Errorf("step %d: ..data -> %q, %v", i, link, err)
				}
				// Exactly one timestamped directory stays, and no ..data_tmp.
				entries, _ := os.ReadDir(dir)
				var hidden []string
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), "..") {
						hidden = append(hidden, e.Name())
					}
				}
				if len(hidden) != 2 {
					t.Errorf("step %d: hidden entries %v", i, hidden)
				}
				clk.Step(time.Second)
			}
		})
	}
}

func TestAtomicWriterVisibleLinks(t *testing.T) {
	dir := t.TempDir()
	w := atomicWriter{dir: dir, clock: clocktesting.NewFakeClock(time.Now())}
	if _, err := w.Write(map[string]File{"key": {Data: []byte("v"), Mode: 0o644}}, nil); err != nil {
		t.Fatal(err)
	}
	link, err := os.Readlink(filepath.Join(dir, "key"))
	if err != nil || link != "..data/key" {
		t.Errorf("key -> %q, %v; want ..data/key", link, err)
	}
	if _, err := w.Write(map[string]File{"../x": {}}, nil); err == nil {
		t.Error("a path with .. was accepted")
	}
}
