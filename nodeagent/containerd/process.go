package containerd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// predecessorExitTimeout is how long Start waits for the containerd of a killed predecessor to
// exit (it shuts down gracefully on SIGTERM: a few seconds at most).
const predecessorExitTimeout = 15 * time.Second

// Process is a running containerd child.
type Process struct {
	cfg    Config
	logger klog.Logger
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{} // closed once containerd has exited and been waited for
	err    error         // why it exited; read after exited is closed

	stopOnce sync.Once
}

// Start writes containerd's configuration under cfg.DataDir, starts containerd in its own process
// group with its log in DataDir/containerd/containerd.log, and returns once its socket answers.
// containerd is stopped (SIGTERM, then SIGKILL after cfg.StopTimeout) when ctx ends or Stop is
// called, and gets SIGTERM should skiff die first. Its pods' shims outlive it, as with any containerd.
func Start(ctx context.Context, cfg Config) (*Process, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	logger := klog.FromContext(ctx).WithName("containerd")
	dir := Dir(cfg.DataDir)
	for _, d := range []string{dir, cfg.CNIConfDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("containerd: %w", err)
		}
	}
	socket := SocketPath(cfg.DataDir)
	// The containerd of a node agent that was killed gets SIGTERM (Pdeathsig below) and may
	// still be shutting down when the next agent starts: give it a moment to go.
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, predecessorExitTimeout, true, func(context.Context) (bool, error) {
		return !answers(socket), nil
	}); err != nil {
		return nil, fmt.Errorf("containerd: something already serves %s: stop it or use --container-runtime-endpoint", socket)
	}
	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(cfg.render()), 0o600); err != nil {
		return nil, fmt.Errorf("containerd: writing its configuration: %w", err)
	}
	logPath := filepath.Join(dir, "containerd.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("containerd: %w", err)
	}
	// Not exec.CommandContext: Stop stops containerd, with a grace period, when ctx ends.
	cmd := exec.Command(cfg.Containerd, "--config", configPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("containerd: %w", err)
	}
	p := &Process{cfg: cfg, logger: logger, cmd: cmd, log: logFile, exited: make(chan struct{})}
	go p.wait()
	logger.Info("Started containerd", "pid", cmd.Process.Pid, "socket", socket, "log", logPath)

	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, cfg.StartTimeout, true, func(context.Context) (bool, error) {
		select {
		case <-p.exited:
			return false, fmt.Errorf("containerd exited: %v", p.err)
		default:
		}
		return answers(socket), nil
	})
	if err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("containerd did not serve %s (see %s): %w", socket, logPath, err)
	}
	logger.V(2).Info("containerd answers", "after", time.Since(started))
	go func() {
		select {
		case <-ctx.Done():
			if err := p.Stop(); err != nil {
				logger.Error(err, "Stopping containerd")
			}
		case <-p.exited:
		}
	}()
	return p, nil
}

func (p *Process) wait() {
	p.err = p.cmd.Wait()
	p.log.Close()
	close(p.exited)
}

// answers reports whether a server accepts connections on the unix socket.
func answers(socket string) bool {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Endpoint is the CRI endpoint, unix:///.../containerd.sock.
func (p *Process) Endpoint() string { return Endpoint(p.cfg.DataDir) }

// Socket is the path of containerd's gRPC socket.
func (p *Process) Socket() string { return SocketPath(p.cfg.DataDir) }

// Pid is containerd's process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when containerd has exited, whether stopped or not.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err is why containerd exited (nil if it exited 0); valid once Exited is closed.
func (p *Process) Err() error { return p.err }

// Stop sends containerd SIGTERM, then SIGKILL if it has not exited after the stop timeout, and
// waits for it to exit. It returns nil if containerd exited on SIGTERM or was already stopped.
func (p *Process) Stop() error {
	var err error
	p.stopOnce.Do(func() { err = p.stop() })
	return err
}

func (p *Process) stop() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	pid := p.cmd.Process.Pid
	// The process group holds containerd alone: shims start their own groups.
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("containerd: SIGTERM: %w", err)
	}
	timer := time.NewTimer(p.cfg.StopTimeout)
	defer timer.Stop()
	select {
	case <-p.exited:
		return nil
	case <-timer.C:
	}
	p.logger.Info("containerd did not stop after SIGTERM, killing it", "pid", pid, "timeout", p.cfg.StopTimeout)
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("containerd: SIGKILL: %w", err)
	}
	<-p.exited
	return fmt.Errorf("containerd: killed after not stopping within %s of SIGTERM", p.cfg.StopTimeout)
}
