package token

import (
	"sync"
	"time"

	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/apis/registry"
)

// Config is how the server issues tokens.
type Config struct {
	// Signer signs tokens as the issuer (--service-account-issuer, its first value).
	Signer *Signer
	// Audiences are the apiserver's (--api-audiences): those of requests that name none.
	Audiences []string
	// Getter reads ServiceAccounts and bound objects; it should read live, as upstream reads
	// its stores.
	Getter Getter
	// MaxExpiration caps requested lifetimes, with a warning (--service-account-max-token-expiration;
	// 0 is no cap).
	MaxExpiration time.Duration
	// ExtendExpiration extends admission-injected projected tokens to MaxExtendedExpiration
	// (--service-account-extend-token-expiration, on by default).
	ExtendExpiration      bool
	MaxExtendedExpiration time.Duration
	Clock                 clock.PassiveClock
}

var (
	configMu sync.Mutex
	current  *Config
)

// Configure sets how the next NewStorage issues tokens; the server calls it while building its
// config, before the stores. Without it there is no token subresource.
func Configure(c Config) {
	configMu.Lock()
	defer configMu.Unlock()
	current = &c
}

// NewStorage returns serviceaccounts/token as configured.
func NewStorage(generic.RESTOptionsGetter) (registry.Resources, error) {
	configMu.Lock()
	c := current
	configMu.Unlock()
	if c == nil || c.Signer == nil || c.Getter == nil {
		return registry.Resources{}, nil
	}
	return registry.Resources{"serviceaccounts/token": NewREST(*c)}, nil
}
