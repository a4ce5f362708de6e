package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Topologies of the suite (SKIFF_E2E_TOPOLOGY): the node in the server's process, or a
// `skiff nodeagent` process of its own against a server without one.
const (
	topologyServer    = "server"
	topologyNodeAgent = "nodeagent"
)

// nodeArgs are the node's flags, the same for `skiff server` and `skiff nodeagent`.
func nodeArgs() []string {
	return []string{"--node-ip=" + nodeIP, "--cgroup-root=" + cgroupRoot, "--pod-cidr=" + podCIDR}
}

// agent is a `skiff nodeagent` child process.
type agent struct {
	dataDir, logPath string
	cmd              *exec.Cmd
	exited           chan struct{}
}

func (a *agent) start() error {
	logFile, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	args := append([]string{"nodeagent", "--kubeconfig", cluster.Kubeconfig(), "--data-dir", a.dataDir}, nodeArgs()...)
	cmd := exec.Command(cluster.Binary, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	a.cmd, a.exited = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(a.exited)
	}()
	return nil
}

// stop sends SIGTERM and, after 30 s, SIGKILL.
func (a *agent) stop() error {
	if a == nil || a.cmd == nil {
		return nil
	}
	select {
	case <-a.exited:
		return nil
	default:
	}
	_ = syscall.Kill(a.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-a.exited:
		return nil
	case <-time.After(30 * time.Second):
	}
	_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	<-a.exited
	return errors.New("skiff nodeagent did not stop within 30s of SIGTERM")
}

// kill sends SIGKILL to the agent alone, as a crash would end it, and waits for it to exit.
func (a *agent) kill() error {
	if a == nil || a.cmd == nil || a.isExited() {
		return nil
	}
	if err := syscall.Kill(a.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return err
	}
	<-a.exited
	return nil
}

func (a *agent) isExited() bool {
	if a == nil || a.exited == nil {
		return false
	}
	select {
	case <-a.exited:
		return true
	default:
		return false
	}
}

// nodeAgent is the node's own process in the nodeagent topology, nil otherwise.
var nodeAgent *agent

// nodeDataDir is where the node keeps containerd's files.
func nodeDataDir() string {
	if nodeAgent != nil {
		return nodeAgent.dataDir
	}
	return cluster.DataDir
}

// startNode starts the node (in the nodeagent topology; the server runs it otherwise) and
// waits until it is Ready, so that its containerd serves.
func startNode(ctx context.Context) error {
	if nodeAgent != nil {
		if err := nodeAgent.start(); err != nil {
			return err
		}
	}
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if nodeAgent.isExited() {
			return false, errors.New("skiff nodeagent exited")
		}
		out, _ := exec.CommandContext(ctx, kubectlPath, "--kubeconfig", cluster.Kubeconfig(), "get", "nodes", "-o",
			`jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}`).Output()
		return strings.TrimSpace(string(out)) == "True", nil
	})
	if err != nil {
		return fmt.Errorf("waiting for a Ready node: %w%s", err, nodeLogTail())
	}
	return nil
}

func nodeLogTail() string {
	if nodeAgent == nil {
		return "\n--- " + cluster.LogPath + ":\n" + cluster.LogTail(30)
	}
	data, _ := os.ReadFile(nodeAgent.logPath)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "\n--- " + nodeAgent.logPath + ":\n" + strings.Join(lines, "\n")
}

// newNodeAgent describes the node process of the nodeagent topology.
func newNodeAgent() *agent {
	return &agent{dataDir: filepath.Join(workDir, "n"), logPath: filepath.Join(workDir, "n.log")}
}
