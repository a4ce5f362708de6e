package job

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
)

// uidExpectations remembers, per Job key, the pods whose tracking finalizer the controller
// removed but the cache still shows: they must not be counted a second time.
type uidExpectations struct {
	mu   sync.Mutex
	uids map[string]sets.Set[types.UID]
}

func newUIDExpectations() *uidExpectations {
	return &uidExpectations{uids: map[string]sets.Set[types.UID]{}}
}

func (u *uidExpectations) expect(key string, uids ...types.UID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.uids[key] == nil {
		u.uids[key] = sets.New[types.UID]()
	}
	u.uids[key].Insert(uids...)
}

func (u *uidExpectations) observed(key string, uid types.UID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if s := u.uids[key]; s != nil {
		s.Delete(uid)
		if s.Len() == 0 {
			delete(u.uids, key)
		}
	}
}

// get returns a copy of the expected UIDs.
func (u *uidExpectations) get(key string) sets.Set[types.UID] {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.uids[key].Clone()
}

func (u *uidExpectations) forget(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.uids, key)
}
