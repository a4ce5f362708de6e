package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/skiff-sh/skiff/hack/bench/internal/procstat"
)

type options struct {
	kubeconfig string
	name       string
	workload   string
	nodes      int
	pods       int
	streamPods int
	streamRate float64
	creators   int
	timeout    time.Duration
	scheduler  string
	serverPID  int
	profileURL string
	profileOut string
	profileSec int
	header     bool
}

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster")
	flag.StringVar(&o.name, "scheduler-name", "skiff", "name of the scheduler under test, for the table")
	flag.StringVar(&o.workload, "workload", "plain", "plain, spread (zone topology spread) or antiaffinity (required, per hostname; groups of at most nodes/2 pods)")
	flag.IntVar(&o.nodes, "nodes", 1000, "ready nodes to wait for before starting")
	flag.IntVar(&o.pods, "pods", 10000, "pods in the backlog the scheduler starts on")
	flag.IntVar(&o.streamPods, "stream-pods", 1000, "pods created at --stream-rate after the backlog, for latency")
	flag.Float64Var(&o.streamRate, "stream-rate", 100, "creations per second of the stream phase")
	flag.IntVar(&o.creators, "creators", 32, "concurrent pod creators")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "bound on the whole run")
	flag.StringVar(&o.scheduler, "scheduler-cmd", "", "command line that runs the scheduler under test (started after the backlog exists)")
	flag.IntVar(&o.serverPID, "server-pid", 0, "pid of the API server process, to report its CPU time over the backlog")
	flag.StringVar(&o.profileURL, "profile-url", "", "pprof CPU profile URL of the scheduler, fetched while it works on the backlog")
	flag.StringVar(&o.profileOut, "profile-out", "cpu.pb.gz", "file for the --profile-url profile")
	flag.IntVar(&o.profileSec, "profile-seconds", 10, "length of the --profile-url profile")
	flag.BoolVar(&o.header, "header", false, "print the table header and exit")
	flag.Parse()
	if o.header {
		fmt.Println(Header)
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "schedbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, o.timeout)
	defer cancelTimeout()

	config, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return err
	}
	config.QPS, config.Burst = -1, 0 // no client-side limit: the scheduler must be the bottleneck
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	if err := waitNodes(ctx, client, o.nodes); err != nil {
		return err
	}
	ns, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "schedbench-"}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	tracker := newTracker()
	if err := tracker.watch(ctx, client, ns.Name); err != nil {
		return err
	}

	// Backlog: every pod exists before the scheduler starts.
	start := time.Now()
	if err := createPods(ctx, client, ns.Name, o, 0, o.pods, 0, tracker); err != nil {
		return err
	}
	created := time.Since(start)
	sched, err := startScheduler(o.scheduler)
	if err != nil {
		return err
	}
	defer sched.stop()
	ctx = sched.watch(ctx, o.serverPID)
	schedStart := time.Now()
	serverCPU0 := procstat.CPU(o.serverPID)
	if o.profileURL != "" {
		go fetchProfile(ctx, o.profileURL, o.profileSec, o.profileOut)
	}
	if err := tracker.waitBound(ctx, o.pods); err != nil {
		return fmt.Errorf("backlog: %w (%d of %d bound)", context.Cause(ctx), tracker.boundCount(), o.pods)
	}
	backlog := tracker.lastBound().Sub(schedStart)
	cpuAfterBacklog := sched.cpu()
	serverCPU := procstat.CPU(o.serverPID) - serverCPU0
	load := loadAverage()

	// Stream: pods at a steady rate while the scheduler runs: create-to-bound latency.
	streamStart := time.Now()
	if err := createPods(ctx, client, ns.Name, o, o.pods, o.streamPods, o.streamRate, tracker); err != nil {
		return err
	}
	if err := tracker.waitBound(ctx, o.pods+o.streamPods); err != nil {
		return fmt.Errorf("stream: %w (%d of %d bound)", context.Cause(ctx), tracker.boundCount(), o.pods+o.streamPods)
	}
	lat := tracker.latencies(o.pods, o.pods+o.streamPods)
	fmt.Printf("| %s | %s | %d | %d | %.0f | %.1f | %s | %s | %s | %.0f/s for %d | %.1f | %.1f | %s |\n",
		o.name, o.workload, o.nodes, o.pods, float64(o.pods)/backlog.Seconds(), backlog.Seconds(),
		ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)), o.streamRate, o.streamPods, cpuAfterBacklog.Seconds(),
		serverCPU.Seconds(), load)
	fmt.Fprintf(os.Stderr, "schedbench: %s %s: backlog of %d created in %v; stream took %v\n", o.name, o.workload, o.pods, created.Round(time.Millisecond), time.Since(streamStart).Round(time.Millisecond))
	return nil
}

// Header is the table header matching the rows run prints.
// Scheduler and server CPU are user+system seconds from the scheduler's start until the last
// backlog pod was bound; load is the 1-minute load average of the machine then.
const Header = "| scheduler | workload | nodes | backlog pods | pods/s | backlog s | stream p50 | stream p99 | stream max | stream rate | scheduler CPU s | server CPU s | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + " ms"
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func waitNodes(ctx context.Context, client kubernetes.Interface, n int) error {
	return wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, nil
		}
		ready := 0
		for _, node := range nodes.Items {
			for _, c := range node.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue && len(node.Spec.Taints) == 0 {
					ready++
				}
			}
		}
		return ready >= n, nil
	})
}

// createPods creates pods first..first+count-1, at rate per second (0: as fast as the creators go).
func createPods(ctx context.Context, client kubernetes.Interface, ns string, o options, first, count int, rate float64, t *tracker) error {
	groups := antiAffinityGroups(o.nodes, o.pods+o.streamPods)
	jobs := make(chan int)
	errs := make(chan error, o.creators)
	var wg sync.WaitGroup
	for range o.creators {
		wg.Go(func() {
			for i := range jobs {
				pod := podFor(o.workload, i, groups)
				t.created(pod.Name, i)
				if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
					errs <- fmt.Errorf("creating %s: %w", pod.Name, err)
					return
				}
			}
		})
	}
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
	}
	var err error
feed:
	for i := first; i < first+count; i++ {
		if tick != nil {
			<-tick.C
		}
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// scheduler is the process under test.
type scheduler struct {
	cmd *exec.Cmd
	// done is closed once the process exited (never, without a process).
	done chan struct{}
	err  error
}

func startScheduler(cmdline string) (*scheduler, error) {
	s := &scheduler{done: make(chan struct{})}
	if cmdline == "" {
		return s, nil // already running (e.g. inside skiff server)
	}
	f := strings.Fields(cmdline)
	cmd := exec.Command(f[0], f[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if path := os.Getenv("SCHEDBENCH_SCHEDULER_LOG"); path != "" {
		if log, err := os.Create(path); err == nil {
			cmd.Stdout, cmd.Stderr = log, log
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the scheduler: %w", err)
	}
	s.cmd = cmd
	go func() { s.err = cmd.Wait(); close(s.done) }()
	return s, nil
}

// watch cancels ctx when the scheduler or the API server (pid, if > 0) goes away, so a run
// whose server died fails at once instead of waiting for the timeout.
func (s *scheduler) watch(ctx context.Context, serverPID int) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
				cancel(fmt.Errorf("the scheduler exited: %v", s.err))
				return
			case <-tick.C:
				if serverPID > 0 && syscall.Kill(serverPID, 0) != nil {
					cancel(errors.New("the API server exited"))
					return
				}
			}
		}
	}()
	return ctx
}

// cpu is the user+system time the scheduler process has used so far.
func (s *scheduler) cpu() time.Duration {
	if s.cmd == nil {
		return 0
	}
	return procstat.CPU(s.cmd.Process.Pid)
}

func (s *scheduler) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// sortDurations sorts in place and returns ds.
func sortDurations(ds []time.Duration) []time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds
}
