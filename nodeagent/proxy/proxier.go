package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	"sigs.k8s.io/knftables"
)

// cleanupTimeout bounds deleting the table on shutdown.
const cleanupTimeout = 10 * time.Second

// Proxier programs the Service proxy's nftables table for one IP family.
type Proxier struct {
	cfg  Config
	p    *params
	nft  knftables.Interface
	src  *sources
	kick chan struct{}

	// Sync state, used only by Run's goroutine.
	// recreate: the next sync deletes and rebuilds the whole table (first sync, failures).
	recreate bool
	// staleChains are chains flushed at the given time, to delete once staleChainDelay passed.
	staleChains map[string]time.Time
	lastSync    time.Time
}

// New builds a Proxier over client's informers that writes through nft, which must be an
// Interface for TableName in cfg.IPFamily's nftables family (see NewNFTables).
func New(client kubernetes.Interface, cfg Config, nft knftables.Interface) (*Proxier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Proxier{cfg: cfg, p: newParams(cfg), nft: nft, kick: make(chan struct{}, 1),
		recreate: true, staleChains: map[string]time.Time{}}
	if p.src, err = newSources(client, cfg.NodeName, p.queueSync); err != nil {
		return nil, err
	}
	return p, nil
}

// queueSync asks for a sync; requests made before it starts are served by one sync.
func (p *Proxier) queueSync() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run syncs the table whenever Services, EndpointSlices, ServiceCIDRs or the node change,
// at most once per MinSyncInterval and at least once per SyncPeriod, from the time the
// caches have synced until ctx ends. Then it deletes the table, and returns an error only
// if that failed.
func (p *Proxier) Run(ctx context.Context) (err error) {
	logger := klog.FromContext(ctx).WithValues("ipFamily", p.cfg.IPFamily, "table", TableName)
	ctx = klog.NewContext(ctx, logger)
	ctx, cancel := context.WithCancel(ctx)
	if served, err := p.src.watchServiceCIDRs(); err != nil {
		logger.Error(err, "Not dropping traffic to unallocated ClusterIPs")
	} else if !served {
		logger.V(2).Info("The server has no ServiceCIDRs; not dropping traffic to unallocated ClusterIPs")
	}
	for _, f := range p.src.factories {
		f.Start(ctx.Done())
		defer f.Shutdown()
	}
	defer cancel() // before the factories' Shutdown, which waits for them to stop
	defer func() { err = errors.Join(err, p.cleanup(ctx)) }()

	if !cache.WaitForCacheSync(ctx.Done(), p.src.synced...) {
		return nil
	}
	logger.Info("Starting service proxy")
	pending := true
	for {
		if wait := p.nextSync(pending).Sub(p.cfg.Clock.Now()); wait > 0 {
			t := p.cfg.Clock.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-p.kick:
				t.Stop()
				pending = true
				continue
			case <-t.C():
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick: // served by this sync
		default:
		}
		pending = false
		if err := p.sync(ctx, p.src.snapshot()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			logger.Error(err, "Syncing nftables rules failed; retrying", "after", p.cfg.MinSyncInterval)
			pending = true
		}
	}
}

// nextSync is when the next sync is due: MinSyncInterval after the last one if one is
// pending, SyncPeriod after it otherwise, and no later than the deletion of stale chains.
func (p *Proxier) nextSync(pending bool) time.Time {
	earliest := p.lastSync.Add(p.cfg.MinSyncInterval)
	if pending {
		return earliest
	}
	due := p.lastSync.Add(p.cfg.SyncPeriod)
	for _, flushed := range p.staleChains {
		if t := flushed.Add(staleChainDelay); t.Before(due) {
			due = t
		}
	}
	if due.Before(earliest) {
		due = earliest
	}
	return due
}

// sync writes snap into the table in one transaction.
func (p *Proxier) sync(ctx context.Context, snap *snapshot) error {
	logger := klog.FromContext(ctx)
	start := p.cfg.Clock.Now()
	p.lastSync = start
	p.deleteStaleChains(ctx, start)

	var chains, setNames []string
	if !p.recreate {
		var err error
		if chains, err = p.list(ctx, "chains"); err == nil {
			setNames, err = p.list(ctx, "sets")
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logger.Error(err, "Listing the table failed; rebuilding it")
			p.recreate = true
		}
	}
	tx := p.nft.NewTransaction()
	w := writeRuleset(tx, p.p, snap, p.recreate)
	if p.recreate {
		clear(p.staleChains)
	}
	p.flushStale(tx, w, start, chains, setNames)

	if err := p.nft.Run(ctx, tx); err != nil {
		if v := logger.V(4); v.Enabled() {
			v.Info("Failed transaction", "transaction", tx.String())
		}
		p.recreate = true
		clear(p.staleChains)
		return fmt.Errorf("running nftables transaction: %w", err)
	}
	p.recreate = false
	logger.V(2).Info("Synced nftables rules", "services", len(snap.services), "endpointSlices", len(snap.endpointSlices),
		"elapsed", p.cfg.Clock.Since(start))
	return nil
}

// flushStale flushes Service and endpoint chains that this sync no longer wrote (they are
// deleted a little later) and deletes affinity sets no longer used.
func (p *Proxier) flushStale(tx *knftables.Transaction, w *writer, now time.Time, chains, setNames []string) {
	for _, name := range chains {
		if !isPortChain(name) {
			continue
		}
		if w.chains.Has(name) {
			delete(p.staleChains, name)
			continue
		}
		tx.Flush(&knftables.Chain{Name: name})
		if _, known := p.staleChains[name]; !known {
			p.staleChains[name] = now
		}
	}
	for _, name := range sets.List(sets.New(setNames...)) {
		if isAffinitySet(name) && !w.affinitySets.Has(name) {
			tx.Delete(&knftables.Set{Name: name})
		}
	}
}

// deleteStaleChains deletes, in a transaction of its own, the chains flushed at least
// staleChainDelay ago. Ones it fails to delete are found stale again by the next sync.
func (p *Proxier) deleteStaleChains(ctx context.Context, now time.Time) {
	tx := p.nft.NewTransaction()
	for name, flushed := range p.staleChains {
		if now.Sub(flushed) >= staleChainDelay {
			tx.Delete(&knftables.Chain{Name: name})
			delete(p.staleChains, name)
		}
	}
	if tx.NumOperations() == 0 {
		return
	}
	if err := p.nft.Run(ctx, tx); err != nil && ctx.Err() == nil {
		klog.FromContext(ctx).Error(err, "Deleting stale chains failed; retrying later")
	}
}

// list names the table's objects of a type; none if the table does not exist.
func (p *Proxier) list(ctx context.Context, objectType string) ([]string, error) {
	names, err := p.nft.List(ctx, objectType)
	if knftables.IsNotFound(err) {
		return nil, nil
	}
	return names, err
}

// cleanup deletes the table, even though ctx has ended.
func (p *Proxier) cleanup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := Cleanup(ctx, p.nft); err != nil {
		return err
	}
	klog.FromContext(ctx).Info("Stopped service proxy and removed its nftables table")
	return nil
}

// Cleanup deletes nft's table if it exists: what a proxy that did not stop cleanly left.
func Cleanup(ctx context.Context, nft knftables.Interface) error {
	tx := nft.NewTransaction()
	tx.Delete(&knftables.Table{})
	if err := nft.Run(ctx, tx); err != nil && !knftables.IsNotFound(err) {
		return fmt.Errorf("deleting nftables table %s: %w", TableName, err)
	}
	return nil
}
