package framework

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CommandTimeout bounds one kubectl invocation.
var CommandTimeout = 60 * time.Second

// Kubectl runs a kubectl binary against one server.
type Kubectl struct {
	// Path is the kubectl binary.
	Path string
	// Kubeconfig is passed as KUBECONFIG.
	Kubeconfig string
	// CacheDir keeps kubectl's discovery cache away from ~/.kube and from other servers.
	CacheDir string
	// Env is added to the environment of every run (e.g. KUBE_EDITOR=...).
	Env []string
}

// With returns a copy of k that also sets the given KEY=VALUE pairs.
func (k *Kubectl) With(env ...string) *Kubectl {
	c := *k
	c.Env = append(append([]string(nil), k.Env...), env...)
	return &c
}

// Result is what one kubectl run did.
type Result struct {
	Args           []string
	Stdout, Stderr string
	ExitCode       int
	// Err is set when kubectl could not run or did not finish in time (not for a non-zero exit).
	Err error
}

// OK tells whether kubectl ran and exited 0.
func (r Result) OK() bool { return r.Err == nil && r.ExitCode == 0 }

// Output is stdout and stderr together, for matching messages whatever stream they went to.
func (r Result) Output() string { return r.Stdout + r.Stderr }

func (r Result) String() string {
	s := fmt.Sprintf("kubectl %s: exit %d", strings.Join(r.Args, " "), r.ExitCode)
	if r.Err != nil {
		s += fmt.Sprintf(" (%v)", r.Err)
	}
	return s + fmt.Sprintf("\n--- stdout:\n%s\n--- stderr:\n%s", r.Stdout, r.Stderr)
}

func (k *Kubectl) command(ctx context.Context, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, k.Path, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.Kubeconfig, "KUBECACHEDIR="+k.CacheDir)
	cmd.Env = append(cmd.Env, k.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// Run runs kubectl with stdin (may be empty) and waits for it, at most CommandTimeout.
func (k *Kubectl) Run(ctx context.Context, stdin string, args ...string) Result {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	cmd := k.command(ctx, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.ExitCode, r.Err = -1, fmt.Errorf("did not finish within %v", CommandTimeout)
	case errors.As(err, &exit):
		r.ExitCode = exit.ExitCode()
	case err != nil:
		r.ExitCode, r.Err = -1, err
	}
	return r
}

// Stream is a long-running kubectl (e.g. `get -w`) whose output is read line by line.
type Stream struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	mu     sync.Mutex
	lines  []string
	stderr bytes.Buffer
	notify chan struct{}
	done   chan struct{}
}

// Start runs kubectl in the background; Stop ends it.
func (k *Kubectl) Start(ctx context.Context, args ...string) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := k.command(ctx, args)
	s := &Stream{cmd: cmd, cancel: cancel, notify: make(chan struct{}, 1), done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	cmd.Stderr = &lockedWriter{mu: &s.mu, w: &s.stderr}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go s.read(stdout)
	return s, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *Stream) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		s.mu.Lock()
		s.lines = append(s.lines, sc.Text())
		s.mu.Unlock()
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
	_ = s.cmd.Wait()
	close(s.done)
}

// WaitForLine waits until a line of stdout after the first `from` lines matches re and returns
// its index; it fails when timeout passes or kubectl exits first.
func (s *Stream) WaitForLine(re *regexp.Regexp, from int, timeout time.Duration) (int, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i := from; i < len(s.lines); i++ {
			if re.MatchString(s.lines[i]) {
				s.mu.Unlock()
				return i, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-s.done:
			// One last look: the line may have come with the exit.
			s.mu.Lock()
			for i := from; i < len(s.lines); i++ {
				if re.MatchString(s.lines[i]) {
					s.mu.Unlock()
					return i, nil
				}
			}
			s.mu.Unlock()
			return -1, fmt.Errorf("kubectl exited before printing a line matching %q\n%s", re, s.Dump())
		case <-deadline.C:
			return -1, fmt.Errorf("no line matching %q within %v\n%s", re, timeout, s.Dump())
		}
	}
}

// Dump is everything the stream printed so far.
func (s *Stream) Dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("--- stdout:\n%s\n--- stderr:\n%s", strings.Join(s.lines, "\n"), s.stderr.String())
}

// Stop kills kubectl and waits for it.
func (s *Stream) Stop() {
	s.cancel()
	<-s.done
}
