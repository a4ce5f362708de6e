package volumes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/utils/clock"
)

const (
	dataDirName    = "..data"
	newDataDirName = "..data_tmp"
	// maxFileNameLength and maxPathLength are the limits upstream's AtomicWriter checks.
	maxFileNameLength = 255
	maxPathLength     = 4096
)

// File is one file of a volume's payload.
type File struct {
	Data []byte
	Mode int32
}

// atomicWriter publishes a payload into a directory the way upstream's AtomicWriter does,
// so that a running container sees either the old or the new set of files: the files go
// to a new hidden timestamped directory, the ..data symlink is swapped to it with a
// rename, and each top-level name is a symlink through ..data.
type atomicWriter struct {
	dir   string
	clock clock.Clock
}

// Write makes dir show payload. It changes nothing when the current files already have
// the payload's contents and modes. setPerms, if set, runs on a new timestamped directory
// before it is published. It reports whether it published a new directory.
func (w atomicWriter) Write(payload map[string]File, setPerms func(dir string) error) (bool, error) {
	clean := make(map[string]File, len(payload))
	for p, f := range payload {
		if err := validatePath(p); err != nil {
			return false, err
		}
		clean[filepath.Clean(p)] = f
	}
	dataDir := filepath.Join(w.dir, dataDirName)
	oldTs, err := os.Readlink(dataDir)
	if err != nil && !os.IsNotExist(err) {
		return false, fmt.Errorf("reading link for data directory: %w", err)
	}
	var stale []string
	write := true
	if oldTs != "" {
		oldPath := filepath.Join(w.dir, oldTs)
		if stale, err = pathsToRemove(clean, oldPath); err != nil {
			return false, err
		}
		same, err := payloadOnDisk(clean, oldPath)
		if err != nil {
			return false, err
		}
		write = !same || len(stale) > 0
	}
	if write {
		if err := w.publish(clean, setPerms); err != nil {
			return false, err
		}
	}
	if err := createVisible(w.dir, clean); err != nil {
		return false, fmt.Errorf("creating visible symlinks in %s: %w", w.dir, err)
	}
	for _, p := range stale {
		if strings.Contains(p, string(os.PathSeparator)) {
			continue
		}
		if err := os.Remove(filepath.Join(w.dir, p)); err != nil && !os.IsNotExist(err) {
			return false, fmt.Errorf("pruning old user-visible path %s: %w", p, err)
		}
	}
	if write {
		// The old timestamped directory, and any a crash left behind.
		if err := w.removeOldData(); err != nil {
			return false, err
		}
	}
	return write, nil
}

func (w atomicWriter) publish(payload map[string]File, setPerms func(dir string) error) error {
	tsDir, err := os.MkdirTemp(w.dir, w.clock.Now().UTC().Format("..2006_01_02_15_04_05."))
	if err != nil {
		return fmt.Errorf("creating new data directory: %w", err)
	}
	fail := func(err error) error {
		_ = os.RemoveAll(tsDir)
		return err
	}
	if err := os.Chmod(tsDir, 0o755); err != nil {
		return fail(err)
	}
	for p, f := range payload {
		full := filepath.Join(tsDir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fail(err)
		}
		mode := os.FileMode(f.Mode) & os.ModePerm
		if err := os.WriteFile(full, f.Data, mode); err != nil {
			return fail(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			return fail(err)
		}
	}
	if setPerms != nil {
		if err := setPerms(tsDir); err != nil {
			return fail(fmt.Errorf("applying ownership settings: %w", err))
		}
	}
	newLink := filepath.Join(w.dir, newDataDirName)
	_ = os.Remove(newLink)
	if err := os.Symlink(filepath.Base(tsDir), newLink); err != nil {
		return fail(err)
	}
	if err := os.Rename(newLink, filepath.Join(w.dir, dataDirName)); err != nil {
		_ = os.Remove(newLink)
		return fail(err)
	}
	return nil
}

// removeOldData removes the timestamped directories ..data does not point to.
func (w atomicWriter) removeOldData() error {
	current, err := os.Readlink(filepath.Join(w.dir, dataDirName))
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() && strings.HasPrefix(n, "..") && n != current && n != dataDirName {
			if err := os.RemoveAll(filepath.Join(w.dir, n)); err != nil {
				return fmt.Errorf("removing old data directory %s: %w", n, err)
			}
		}
	}
	return nil
}

// validatePath applies upstream's rules for a payload path.
func validatePath(p string) error {
	if p == "" {
		return fmt.Errorf("invalid path: must not be empty: %q", p)
	}
	if filepath.IsAbs(p) {
		return fmt.Errorf("invalid path: must be relative path: %s", p)
	}
	if len(p) > maxPathLength {
		return fmt.Errorf("invalid path: must be less than or equal to %d characters", maxPathLength)
	}
	items := strings.Split(p, string(os.PathSeparator))
	for _, item := range items {
		if item == ".." {
			return fmt.Errorf("invalid path: must not contain '..': %s", p)
		}
		if len(item) > maxFileNameLength {
			return fmt.Errorf("invalid path: filenames must be less than or equal to %d characters", maxFileNameLength)
		}
	}
	if strings.HasPrefix(items[0], "..") && len(items[0]) > 2 {
		return fmt.Errorf("invalid path: must not start with '..': %s", p)
	}
	return nil
}

// payloadOnDisk reports whether dir holds every file of payload with its content and mode.
func payloadOnDisk(payload map[string]File, dir string) (bool, error) {
	for p, f := range payload {
		full := filepath.Join(dir, p)
		info, err := os.Lstat(full)
		if os.IsNotExist(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if info.Mode().Perm() != os.FileMode(f.Mode)&os.ModePerm {
			return false, nil
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(data, f.Data) {
			return false, nil
		}
	}
	return true, nil
}

// pathsToRemove are the paths under oldDir (relative, sorted) that payload no longer has,
// counting each file's parent directories as present.
func pathsToRemove(payload map[string]File, oldDir string) ([]string, error) {
	keep := map[string]bool{}
	for p := range payload {
		for sub := p; sub != "." && sub != ""; sub = filepath.Dir(sub) {
			keep[sub] = true
		}
	}
	var out []string
	err := filepath.Walk(oldDir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(oldDir, path)
		if err != nil || rel == "." {
			return err
		}
		if !keep[rel] {
			out = append(out, rel)
		}
		return nil
	})
	if os.IsNotExist(err) {
		return nil, nil
	}
	sort.Strings(out)
	return out, err
}

// createVisible links each top-level name of payload through ..data.
func createVisible(dir string, payload map[string]File) error {
	for p := range payload {
		top, _, _ := strings.Cut(p, string(os.PathSeparator))
		link := filepath.Join(dir, top)
		if _, err := os.Lstat(link); err == nil {
			continue
		} else if !os.IsNotExist(err) {
			return err
		}
		if err := os.Symlink(filepath.Join(dataDirName, top), link); err != nil {
			return err
		}
	}
	return nil
}
