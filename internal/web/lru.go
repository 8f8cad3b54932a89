package web

// lru keeps values by key within a byte budget, the least recently used
// out first. It does no locking: its owner (pageCache) holds the lock.
type lru[V any] struct {
	max   int         // budget in bytes
	size  func(V) int // what a value costs, roughly
	m     map[string]*lruNode[V]
	bytes int        // sum of the kept values' sizes and keys
	root  lruNode[V] // ring, most recently used first (root.next)
}

type lruNode[V any] struct {
	key        string
	val        V
	size       int
	prev, next *lruNode[V]
}

// get returns the value for key and marks it used.
func (l *lru[V]) get(key string) (V, bool) {
	n := l.m[key]
	if n == nil {
		var zero V
		return zero, false
	}
	l.unlink(n)
	l.pushFront(n)
	return n.val, true
}

// peek returns the value for key without marking it used.
func (l *lru[V]) peek(key string) (V, bool) {
	if n := l.m[key]; n != nil {
		return n.val, true
	}
	var zero V
	return zero, false
}

// put keeps v under key, then lets the least recently used values go
// until the budget holds (never v itself).
func (l *lru[V]) put(key string, v V) {
	if l.m == nil {
		l.m = map[string]*lruNode[V]{}
		l.root.next, l.root.prev = &l.root, &l.root
	}
	if old := l.m[key]; old != nil {
		l.remove(old)
	}
	n := &lruNode[V]{key: key, val: v, size: l.size(v) + len(key)}
	l.m[key] = n
	l.pushFront(n)
	l.bytes += n.size
	for l.bytes > l.max && l.root.prev != n {
		l.remove(l.root.prev)
	}
}

// len is the number of values kept.
func (l *lru[V]) len() int { return len(l.m) }

// each calls f on every value, most recently used first.
func (l *lru[V]) each(f func(key string, v V)) {
	if l.m == nil {
		return
	}
	for n := l.root.next; n != &l.root; n = n.next {
		f(n.key, n.val)
	}
}

func (l *lru[V]) remove(n *lruNode[V]) {
	l.unlink(n)
	delete(l.m, n.key)
	l.bytes -= n.size
}

func (l *lru[V]) unlink(n *lruNode[V]) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (l *lru[V]) pushFront(n *lruNode[V]) {
	n.prev, n.next = &l.root, l.root.next
	l.root.next.prev = n
	l.root.next = n
}
