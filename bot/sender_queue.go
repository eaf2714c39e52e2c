package bot

import (
	"container/heap"

	"umkmbot/store"
)

// outboxQueue holds claimed rows waiting for a worker, the most urgent first: by priority, then
// by id (the order they were enqueued).
type outboxQueue struct{ h outboxHeap }

func (q *outboxQueue) Len() int                   { return len(q.h) }
func (q *outboxQueue) push(m store.OutboxMessage) { heap.Push(&q.h, m) }
func (q *outboxQueue) pop() store.OutboxMessage   { return heap.Pop(&q.h).(store.OutboxMessage) }

type outboxHeap []store.OutboxMessage

func (h outboxHeap) Len() int { return len(h) }
func (h outboxHeap) Less(i, j int) bool {
	if h[i].Priority != h[j].Priority {
		return h[i].Priority < h[j].Priority
	}
	return h[i].ID < h[j].ID
}
func (h outboxHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *outboxHeap) Push(x any)   { *h = append(*h, x.(store.OutboxMessage)) }
func (h *outboxHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	*h = old[:len(old)-1]
	return m
}
