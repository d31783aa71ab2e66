package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/db"
)

// TestABodyMixingHistoryAndLiveKeepsTheLiveMessageLive: Meta may batch a
// history change beside a live one; only the live message counts unread.
func TestABodyMixingHistoryAndLiveKeepsTheLiveMessageLive(t *testing.T) {
	r := newRig(t)
	now := time.Now().Unix()
	body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
	{"field":"history","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":%q},
		"history":[{"metadata":{"phase":0,"chunk_order":1,"progress":100},"threads":[{"id":"79990003333","messages":[
			{"from":"79990003333","id":"wamid.OLD","timestamp":"%d","type":"text","text":{"body":"old"}}]}]}]}},
	{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":%q},
		"contacts":[{"profile":{"name":"Live"},"wa_id":"79990004444"}],
		"messages":[{"from":"79990004444","id":"wamid.LIVE","timestamp":"%d","type":"text","text":{"body":"live"}}]}}]}]}`,
		phoneID, now-86400, phoneID, now))
	if res := r.deliver(t, body); res.Stored != 2 {
		t.Fatalf("stored %d, want both messages", res.Stored)
	}
	rows, err := r.store.Dialogs(context.Background(), db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	unread := map[string]int{}
	for _, d := range rows {
		unread[d.ClientExternalID] = d.UnreadCount
	}
	if unread["79990004444"] != 1 || unread["79990003333"] != 0 {
		t.Fatalf("unread %v: want the live message unread and the backfilled one not", unread)
	}
}
