package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// txTail is what a transaction writes last, kept in memory until just
// before its commit and then written in one statement: its live events
// (which must come last, see LiveEventsLock), and the rows nothing reads
// back in the transaction that writes them: plain jobs, messages queued for
// the timeline, standing jobs nudged. An ingest batch that wrote them one
// statement each paid a round trip apiece, most of its time on a busy
// machine (measured).
type txTail struct {
	events   []LiveEvent
	jobs     []tailJob
	timeline []tailTimeline
	nudges   []tailJob // payload unused
}

type tailJob struct {
	portal  int64
	kind    string
	payload string
	runAt   time.Time
}

type tailTimeline struct {
	portal, message int64
	at              time.Time
}

// tailMark is where a tail stood, for a savepoint to go back to.
type tailMark struct{ events, jobs, timeline, nudges int }

func (t *txTail) mark() tailMark {
	return tailMark{len(t.events), len(t.jobs), len(t.timeline), len(t.nudges)}
}

func (t *txTail) rewind(m tailMark) {
	t.events, t.jobs, t.timeline, t.nudges = t.events[:m.events], t.jobs[:m.jobs], t.timeline[:m.timeline], t.nudges[:m.nudges]
}

func (t *txTail) empty() bool {
	return len(t.events)+len(t.jobs)+len(t.timeline)+len(t.nudges) == 0
}

// flushTail writes the tail in one statement. The data-modifying CTEs all
// run whatever the final INSERT reads; the advisory lock is taken, before
// the events' ids are drawn, only when there are events.
func (s *Store) flushTail(ctx context.Context, t *txTail) error {
	jp, jk, jpl, jt := make([]int64, len(t.jobs)), make([]string, len(t.jobs)), make([]string, len(t.jobs)), make([]string, len(t.jobs))
	for i, j := range t.jobs {
		jp[i], jk[i], jpl[i], jt[i] = j.portal, j.kind, j.payload, j.runAt.Format(time.RFC3339Nano)
	}
	qp, qm, qt := make([]int64, len(t.timeline)), make([]int64, len(t.timeline)), make([]string, len(t.timeline))
	for i, q := range t.timeline {
		qp[i], qm[i], qt[i] = q.portal, q.message, q.at.Format(time.RFC3339Nano)
	}
	np, nk, nt := make([]int64, len(t.nudges)), make([]string, len(t.nudges)), make([]string, len(t.nudges))
	for i, n := range t.nudges {
		np[i], nk[i], nt[i] = n.portal, n.kind, n.runAt.Format(time.RFC3339Nano)
	}
	n := len(t.events)
	ep, ed, em := make([]int64, n), make([]int64, n), make([]int64, n)
	ek, et := make([]string, n), make([]string, n)
	for i, e := range t.events {
		ep[i], ed[i], em[i], ek[i], et[i] = e.Portal, e.Dialog, e.Message, e.Kind, e.at.Format(time.RFC3339Nano)
	}
	_, err := s.exec(ctx, `WITH jobs AS (
			INSERT INTO outbox (portal_id, kind, payload, run_at)
			SELECT p, k, pl, t FROM unnest($1::bigint[], $2::text[], $3::jsonb[], $4::timestamptz[]) AS v(p, k, pl, t)
		), timeline AS (
			INSERT INTO timeline_queue (portal_id, message_id, queued_at)
			SELECT p, m, t FROM unnest($5::bigint[], $6::bigint[], $7::timestamptz[]) AS v(p, m, t)
			ON CONFLICT DO NOTHING
		), nudges AS (
			INSERT INTO outbox (portal_id, kind, payload, run_at)
			SELECT p, k, '{}', t FROM unnest($8::bigint[], $9::text[], $10::timestamptz[]) AS v(p, k, t)
			ON CONFLICT (portal_id, kind) WHERE done_at IS NULL AND kind IN ('crm_sync', 'crm_reconcile') DO NOTHING
		), ordered AS MATERIALIZED (SELECT pg_advisory_xact_lock($16) WHERE cardinality($11::bigint[]) > 0)
		INSERT INTO live_events (portal_id, kind, dialog_id, message_id, created_at)
		SELECT p, k, d, m, t FROM ordered, unnest($11::bigint[], $12::text[], $13::bigint[], $14::bigint[], $15::timestamptz[])
			WITH ORDINALITY AS v(p, k, d, m, t, i) ORDER BY i`,
		pq.Array(jp), pq.Array(jk), pq.Array(jpl), pq.Array(jt),
		pq.Array(qp), pq.Array(qm), pq.Array(qt),
		pq.Array(np), pq.Array(nk), pq.Array(nt),
		pq.Array(ep), pq.Array(ek), pq.Array(ed), pq.Array(em), pq.Array(et), int64(LiveEventsLock))
	if err != nil {
		return fmt.Errorf("db: unable to write %d jobs, %d timeline entries, %d nudges and %d live events: %w",
			len(t.jobs), len(t.timeline), len(t.nudges), n, err)
	}
	return nil
}
