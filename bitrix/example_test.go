package bitrix_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"switchboard/bitrix"
)

// The app wires one Client with its PostgreSQL TokenStore and Limiter; tests and the demo
// use the in-memory ones and point the portal at the emulator.
func Example() {
	store := bitrix.NewMemoryTokens()
	store.Set("member-1", bitrix.Tokens{Access: "…", Refresh: "…"})
	client := bitrix.New(bitrix.Config{
		ClientID:     "local.switchboard",
		ClientSecret: "secret",
		OAuthURL:     "http://localhost:8081", // the emulator serves /oauth/token/ too
		Tokens:       store,
		Limiter:      bitrix.NewMemoryLimiter(bitrix.DefaultRate, bitrix.DefaultBurst),
		Logger:       slog.Default(),
	})
	portal := client.Portal("member-1", bitrix.PortalURL("localhost:8081", false))

	ctx := context.Background()
	dups, err := portal.FindByComm(ctx, bitrix.CommPhone, []string{"+49 30 1234567"}, "")
	switch {
	case bitrix.NeedsReinstall(err):
		// the grant is dead: mark the portal, ask an admin to reinstall
	case err != nil:
		// retry later (the outbox does)
	case dups.Empty():
		_, err = portal.AddContact(ctx, bitrix.Fields{"NAME": "Ivan",
			"PHONE": []bitrix.Multifield{{Value: "+49 30 1234567", ValueType: "MOBILE"}}})
	}
	_ = err
}

// Several calls in one request: results map back by key; one command's failure does not
// fail the others.
func ExamplePortalClient_Batch() {
	var portal *bitrix.PortalClient // from client.Portal(…)
	if portal == nil {
		return
	}
	ctx := context.Background()
	owner := bitrix.Owner{TypeID: bitrix.EntityDeal, ID: 10}
	results, err := portal.Batch(ctx, false,
		bitrix.BatchCommand{Key: "comment", Method: "crm.timeline.comment.add", Params: bitrix.Params{
			"fields": bitrix.Params{"ENTITY_TYPE": owner.TypeID.Name(), "ENTITY_ID": owner.ID, "COMMENT": "Tom & Jerry: 100% #1"}}},
		bitrix.BatchCommand{Key: "pin", Method: "crm.timeline.item.pin", Params: bitrix.Params{
			"id": "$result[comment]", "ownerTypeId": int(owner.TypeID), "ownerId": owner.ID}},
	)
	if err != nil {
		return // the request itself failed (auth, limits, network)
	}
	var commentID bitrix.FlexInt
	if err := results[0].Decode(&commentID); err != nil {
		return
	}
	if r, _ := results.Get("pin"); errors.Is(r.Err, bitrix.ErrPinLimit) {
		fmt.Println("too many pinned entries")
	}
}

// An event handler: parse, check the application token, dispatch.
func ExampleParseEventRequest() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		ev, err := bitrix.ParseEventRequest(r)
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		storedToken := "…" // the portal's application_token, looked up by ev.Auth.MemberID
		if ev.Name != bitrix.EventAppInstall && !bitrix.VerifyApplicationToken(ev, storedToken) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if ev.Name == bitrix.EventConnectorMessageAdd {
			msgs, err := bitrix.ParseConnectorEvent(ev)
			if err == nil {
				_ = msgs.Messages // operator replies to send out through the channel
			}
		}
	}
	_ = handler
}
