package pause

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

func TestProgramIsAStaticExecutable(t *testing.T) {
	tests := []struct {
		arch    string
		machine elf.Machine
		code    []byte
	}{
		{"amd64", elf.EM_X86_64, codeAMD64},
		{"arm64", elf.EM_AARCH64, codeARM64},
	}
	for _, tt := range tests {
		t.Run(tt.arch, func(t *testing.T) {
			prog, err := Program(tt.arch)
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(prog))
			if err != nil {
				t.Fatalf("not an ELF file: %v", err)
			}
			if f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC || f.Machine != tt.machine || f.OSABI != elf.ELFOSABI_NONE {
				t.Errorf("header: class %v type %v machine %v abi %v", f.Class, f.Type, f.Machine, f.OSABI)
			}
			if len(f.Progs) != 2 || f.Progs[0].Type != elf.PT_LOAD || f.Progs[1].Type != elf.PT_GNU_STACK {
				t.Fatalf("program headers: %+v", f.Progs)
			}
			load := f.Progs[0]
			if load.Flags != elf.PF_R|elf.PF_X || load.Off != 0 || load.Filesz != uint64(len(prog)) || load.Memsz != load.Filesz {
				t.Errorf("PT_LOAD: %+v", load.ProgHeader)
			}
			if f.Progs[1].Flags&elf.PF_X != 0 {
				t.Error("the stack is executable")
			}
			entry := f.Entry - load.Vaddr
			if !bytes.Equal(prog[entry:], tt.code) {
				t.Errorf("entry point %#x does not start the code", f.Entry)
			}
			if f.Section(".interp") != nil || len(f.Progs) != 2 {
				t.Error("the program must not need an interpreter")
			}
		})
	}
	if _, err := Program("s390x"); err == nil {
		t.Error("Program(s390x) succeeded")
	}
}

// TestSigsetImmediate checks that both listings load the signal set sigset describes.
func TestSigsetImmediate(t *testing.T) {
	if got := binary.LittleEndian.Uint32(codeAMD64[1:5]); got != sigset {
		t.Errorf("amd64 pushes %#x, want %#x", got, sigset)
	}
	// movz x1, #lo; movk x1, #hi, lsl 16: imm16 is bits 5..20 of each instruction.
	lo := binary.LittleEndian.Uint32(codeARM64[0:4]) >> 5 & 0xffff
	hi := binary.LittleEndian.Uint32(codeARM64[4:8]) >> 5 & 0xffff
	if got := hi<<16 | lo; got != sigset {
		t.Errorf("arm64 loads %#x, want %#x", got, sigset)
	}
}

// startPause runs the program for this machine; attr may put it in new namespaces.
func startPause(t *testing.T, attr *syscall.SysProcAttr) *exec.Cmd {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("the pause program does not run on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	prog, err := Program(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(path, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	waitInSigtimedwait(t, cmd.Process.Pid)
	return cmd
}

// waitInSigtimedwait polls /proc/PID/syscall until the program blocks waiting for signals.
func waitInSigtimedwait(t *testing.T, pid int) {
	t.Helper()
	nr := "128" // rt_sigtimedwait
	if runtime.GOARCH == "arm64" {
		nr = "137"
	}
	err := wait.PollUntilContextTimeout(context.Background(), 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "syscall"))
		if err != nil {
			return false, nil
		}
		return strings.HasPrefix(string(b), nr+" "), nil
	})
	if err != nil {
		t.Fatalf("pause never waited for signals: %v", err)
	}
}

func TestPauseExitsZeroOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := startPause(t, nil)
			// SIGCHLD must not end it: it has no children, reaps nothing and waits again.
			if err := cmd.Process.Signal(syscall.SIGCHLD); err != nil {
				t.Fatal(err)
			}
			waitInSigtimedwait(t, cmd.Process.Pid)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("pause ended with %v after %v, want exit status 0", err, sig)
			}
		})
	}
}

// TestPauseReapsAsPID1 runs pause as PID 1 of a new PID namespace (as in a pod that shares its
// PID namespace), orphans a process into it and checks that pause reaps it and still exits on
// SIGTERM, which the kernel only delivers to a namespace's init when it is handled or blocked.
func TestPauseReapsAsPID1(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a PID namespace")
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("needs nsenter")
	}
	cmd := startPause(t, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID})
	pid := itoa(cmd.Process.Pid)
	// sh starts sleep in the background and exits: sleep is re-parented to pause and exits two
	// seconds later; a pause that did not reap would keep it as a zombie child.
	out, err := exec.Command(nsenter, "-t", pid, "--pid", "--", "sh", "-c", "sleep 2 </dev/null >/dev/null 2>&1 &").CombinedOutput()
	if err != nil {
		t.Fatalf("nsenter: %v: %s", err, out)
	}
	children := filepath.Join("/proc", pid, "task", pid, "children")
	sawChild := false
	err = wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		b, err := os.ReadFile(children)
		if err != nil {
			return false, err
		}
		if len(strings.Fields(string(b))) > 0 {
			sawChild = true
			return false, nil
		}
		return sawChild, nil
	})
	if err != nil {
		b, _ := os.ReadFile(children)
		t.Fatalf("orphan seen %v, children now %q: %v", sawChild, b, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pause as PID 1 ended with %v, want exit status 0", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
