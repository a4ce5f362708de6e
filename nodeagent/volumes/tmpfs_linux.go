package volumes

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// isMountPoint reports whether dir is the root of a mount: its device differs from its
// parent's (what we mount, tmpfs, always has a device of its own).
func isMountPoint(dir string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return false, err
	}
	if err := unix.Lstat(filepath.Dir(dir), &parent); err != nil {
		return false, err
	}
	return st.Dev != parent.Dev, nil
}

// isTmpfs reports whether dir is on a tmpfs.
func isTmpfs(dir string) (bool, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return false, err
	}
	return fs.Type == unix.TMPFS_MAGIC, nil
}

// mountTmpfs mounts a tmpfs on dir (nosuid, nodev) unless one is already there. size 0
// means tmpfs's default.
func mountTmpfs(dir string, size int64) error {
	mounted, err := isMountPoint(dir)
	if err != nil {
		return err
	}
	if mounted {
		if tmp, err := isTmpfs(dir); err != nil || tmp {
			return err
		}
	}
	// No mode option: the root of the tmpfs is 1777 as upstream's memory-backed emptyDir.
	opts := ""
	if size > 0 {
		opts = fmt.Sprintf("size=%d", size)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return fmt.Errorf("mounting tmpfs on %s: %w", dir, err)
	}
	return nil
}

// unmount unmounts dir if it is a mount point.
func unmount(dir string) error {
	mounted, err := isMountPoint(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	if !mounted {
		return nil
	}
	if err := unix.Unmount(dir, 0); err != nil && err != syscall.EINVAL {
		return fmt.Errorf("unmounting %s: %w", dir, err)
	}
	return nil
}
