package db_test

import (
	"context"
	"testing"

	"switchboard/db"
)

// A search reads the portal's newest messages first and, when they do not
// fill its page, the full-text index: both ways give the newest hits, in
// order, whether the word is in every message or only in old ones.
func TestSearchGivesTheNewestHitsOfACommonAndARareWord(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "search")
	ctx := context.Background()
	const n = 3000 // more than the search reads first
	if _, err := store.DB.Exec(`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body, created_at)
		SELECT $1, $2, $3, 'in', 'text', 'note ' || g || CASE WHEN g % 1000 = 1 THEN ' invoice' ELSE '' END,
			now() - (($4 - g) || ' seconds')::interval
		FROM generate_series(1, $4) g`, w.portal, w.dialog, w.channel, n); err != nil {
		t.Fatal(err)
	}
	bodies := func(hits []db.SearchHit) []string {
		var ids []int64
		for _, h := range hits {
			ids = append(ids, *h.MessageID)
		}
		ms, err := store.MessagesByID(ctx, w.portal, ids)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Body)
		}
		return out
	}
	_, common, err := store.Search(ctx, w.viewAll, db.SearchQuery{Text: "note", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(common); len(got) != 3 || got[0] != "note 3000" || got[1] != "note 2999" || got[2] != "note 2998" {
		t.Fatalf("a word in every message: %q, want the three newest", got)
	}
	_, rare, err := store.Search(ctx, w.viewAll, db.SearchQuery{Text: "invoice", Limit: 30})
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(rare); len(got) != 3 || got[0] != "note 2001 invoice" || got[1] != "note 1001 invoice" || got[2] != "note 1 invoice" {
		t.Fatalf("a word in three messages, one older than the newest 2,000: %q", got)
	}
}

// The search tells a common word from a rare one on both sides of searchFew
// (10,000 hits), whatever the hits' age: a word in every message by the
// planner's estimate alone, the others by counting.
func TestSearchTellsCommonWordsFromRareOnes(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "words")
	ctx := context.Background()
	const n = 120_000 // "note" is estimated far above searchFew
	if _, err := store.DB.Exec(`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body, created_at)
		SELECT $1, $2, $3, 'in', 'text', 'note ' || g || CASE WHEN g % 10000 = 1 THEN ' invoice' ELSE '' END
			|| CASE WHEN g <= $4 / 2 THEN ' parcel' ELSE '' END,
			now() - (($4 - g) || ' seconds')::interval
		FROM generate_series(1, $4) g`, w.portal, w.dialog, w.channel, n); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB.Exec(`ANALYZE messages`); err != nil {
		t.Fatal(err)
	}
	for words, want := range map[string]bool{
		"note":    false, // in every message
		"parcel":  false, // in the older half only (60,000)
		"invoice": true,  // in 12
		"missing": true,  // in none
	} {
		rare, err := store.RareWords(ctx, w.portal, words)
		if err != nil {
			t.Fatal(err)
		}
		if rare != want {
			t.Errorf("%q taken for rare = %v, want %v", words, rare, want)
		}
	}
}
