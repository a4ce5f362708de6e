package proxy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/knftables"
)

// recordingNFT is a fake table that counts transactions and can fail the next ones.
type recordingNFT struct {
	*knftables.Fake
	mu    sync.Mutex
	runs  []string // the transactions run, as text
	fails int      // how many more Runs fail
}

func newRecordingNFT(family knftables.Family) *recordingNFT {
	return &recordingNFT{Fake: knftables.NewFake(family, TableName)}
}

func (r *recordingNFT) Run(ctx context.Context, tx *knftables.Transaction) error {
	r.mu.Lock()
	r.runs = append(r.runs, tx.String())
	fail := r.fails > 0
	if fail {
		r.fails--
	}
	r.mu.Unlock()
	if fail {
		return errors.New("injected failure")
	}
	return r.Fake.Run(ctx, tx)
}

func (r *recordingNFT) transactions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.runs...)
}

// testProxier is a Proxier without informers, synced by calling sync.
func testProxier(t *testing.T, nft knftables.Interface, clk *clocktesting.FakeClock) *Proxier {
	t.Helper()
	cfg := testConfig()
	cfg.Clock = clk
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return &Proxier{cfg: cfg, p: newParams(cfg), nft: nft, kick: make(chan struct{}, 1), recreate: true, staleChains: map[string]time.Time{}}
}

func TestSyncRemovesStaleObjects(t *testing.T) {
	ctx := context.Background()
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	nft := newRecordingNFT(knftables.IPv4Family)
	p := testProxier(t, nft, clk)
	withWeb := &snapshot{
		services:       []*v1.Service{svc("web", "10.96.0.10", affinity(60))},
		endpointSlices: []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
	}
	if err := p.sync(ctx, withWeb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(nft.transactions()[0], "add table ip skiff-proxy\ndelete table ip skiff-proxy\n") {
		t.Errorf("first sync does not recreate the table:\n%s", nft.transactions()[0])
	}
	sp := servicePorts(withWeb.services, v1.IPv4Protocol)[0]
	base := endpointChainBase(sp.name, &endpoint{ip: "10.244.1.5", port: 8080})
	epChain, affinitySet, serviceChain := prefixEndpoint+base, prefixAffinity+base, chainsOf(sp).cluster

	// A client's affinity entry survives syncs that still use its endpoint.
	tx := nft.NewTransaction()
	tx.Add(&knftables.Element{Set: affinitySet, Key: []string{"10.244.2.2"}})
	if err := nft.Fake.Run(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := p.sync(ctx, withWeb); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(nft.transactions()[1], "delete table") {
		t.Errorf("second sync recreated the table")
	}
	if s := nft.Table.Sets[affinitySet]; s == nil || s.FindElement("10.244.2.2") == nil {
		t.Errorf("affinity entry lost by a sync")
	}

	// Without the Service its chains are flushed and its affinity set deleted...
	if err := p.sync(ctx, &snapshot{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{epChain, serviceChain} {
		if c := nft.Table.Chains[name]; c == nil || len(c.Rules) != 0 {
			t.Errorf("chain %s: want it kept and flushed for now, got %+v", name, c)
		}
	}
	if nft.Table.Sets[affinitySet] != nil {
		t.Errorf("affinity set %s not deleted", affinitySet)
	}
	if got := p.nextSync(false); !got.Equal(clk.Now().Add(staleChainDelay)) {
		t.Errorf("next sync at %v, want when the stale chains are due (%v)", got, clk.Now().Add(staleChainDelay))
	}
	// ...and deleted by the first sync staleChainDelay later.
	clk.Step(staleChainDelay)
	if err := p.sync(ctx, &snapshot{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{epChain, serviceChain} {
		if nft.Table.Chains[name] != nil {
			t.Errorf("stale chain %s not deleted", name)
		}
	}
	if len(p.staleChains) != 0 {
		t.Errorf("stale chains left: %v", p.staleChains)
	}
}

func TestSyncFailureRecreatesTable(t *testing.T) {
	ctx := context.Background()
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	nft := newRecordingNFT(knftables.IPv4Family)
	p := testProxier(t, nft, clk)
	snap := &snapshot{services: []*v1.Service{svc("web", "10.96.0.10")}}
	if err := p.sync(ctx, snap); err != nil {
		t.Fatal(err)
	}
	nft.fails = 1
	if err := p.sync(ctx, snap); err == nil {
		t.Fatal("sync did not report the failed transaction")
	}
	if err := p.sync(ctx, snap); err != nil {
		t.Fatal(err)
	}
	txs := nft.transactions()
	if len(txs) != 3 || strings.Contains(txs[1], "delete table") || !strings.Contains(txs[2], "delete table ip skiff-proxy\n") {
		t.Errorf("want the sync after a failure to recreate the table, got %d transactions", len(txs))
	}
	if nft.Table.Sets[setClusterIPs].FindElement("10.96.0.10") == nil {
		t.Errorf("ClusterIP missing after recovery")
	}
}

func TestCleanupDeletesTable(t *testing.T) {
	ctx := context.Background()
	nft := newRecordingNFT(knftables.IPv4Family)
	if err := Cleanup(ctx, nft); err != nil {
		t.Fatalf("cleanup without a table: %v", err)
	}
	p := testProxier(t, nft, clocktesting.NewFakeClock(time.Now()))
	if err := p.sync(ctx, &snapshot{}); err != nil {
		t.Fatal(err)
	}
	if err := Cleanup(ctx, nft); err != nil {
		t.Fatal(err)
	}
	if nft.Table != nil || nft.Dump() != "" {
		t.Errorf("table left after cleanup:\n%s", nft.Dump())
	}
}

func TestNextSync(t *testing.T) {
	last := time.Unix(1000, 0)
	p := &Proxier{cfg: Config{MinSyncInterval: time.Second, SyncPeriod: 30 * time.Second}, lastSync: last, staleChains: map[string]time.Time{}}
	if got := p.nextSync(true); !got.Equal(last.Add(time.Second)) {
		t.Errorf("pending: %v, want MinSyncInterval after the last sync", got)
	}
	if got := p.nextSync(false); !got.Equal(last.Add(30 * time.Second)) {
		t.Errorf("idle: %v, want SyncPeriod after the last sync", got)
	}
	p.staleChains["x"] = last.Add(-time.Hour)
	if got := p.nextSync(false); !got.Equal(last.Add(time.Second)) {
		t.Errorf("stale chains long due: %v, still no sooner than MinSyncInterval", got)
	}
}
