package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
)

// The demo's Instagram account and its WhatsApp coexistence number (the
// business also uses the WhatsApp Business app on it).
const (
	demoIGID        = "17841400000000001"
	demoIGUser      = "switchboard.demo"
	demoIGToken     = "demo-token-instagram"
	demoCoexID      = "106540352242924"
	demoCoexDisplay = "15550001003"
	demoCoexToken   = "demo-token-support"
)

// seedMediaChannels adds the Instagram account and the coexistence number
// "Support". When Support is connected for the first time (no dialogs yet),
// the emulator backfills its history, as Meta does at onboarding.
func (env *demoEnv) seedMediaChannels(ctx context.Context) error {
	store := env.app.store
	igID, err := store.UpsertChannel(ctx, db.Channel{
		PortalID: env.portalID, Transport: channels.Instagram, ExternalID: demoIGID, Name: "Instagram",
		AccessToken: demoIGToken, AppSecret: demoAppSecret, VerifyToken: "demo-verify", APIBase: env.graphURL + "/v23.0",
	})
	if err != nil {
		return err
	}
	env.emu.AddInstagramAccount(graphemu.IGAccount{ID: demoIGID, Username: demoIGUser, AccessToken: demoIGToken,
		AppSecret: demoAppSecret, WebhookURL: env.appURL + "/hooks/instagram/" + strconv.FormatInt(igID, 10)})
	if err := env.emu.VerifyWebhook(ctx, demoIGID, "demo-verify"); err != nil {
		return fmt.Errorf("demo: the Instagram webhook handshake: %w", err)
	}

	coexID, err := store.UpsertChannel(ctx, db.Channel{
		PortalID: env.portalID, Transport: channels.WhatsApp, ExternalID: demoCoexID, Name: "Support",
		AccessToken: demoCoexToken, AppSecret: demoAppSecret, VerifyToken: "demo-verify", APIBase: env.graphURL + "/v23.0",
	})
	if err != nil {
		return err
	}
	if err := store.SetChannelBusiness(ctx, env.portalID, coexID, demoBusinessID(demoCoexID)); err != nil {
		return err
	}
	known, err := store.ChannelDialogCount(ctx, env.portalID, coexID)
	if err != nil {
		return err
	}
	n := graphemu.Number{PhoneNumberID: demoCoexID, DisplayPhone: demoCoexDisplay, Name: "Support",
		AccessToken: demoCoexToken, AppSecret: demoAppSecret, Coexistence: true,
		WABAID: demoBusinessID(demoCoexID), Templates: demoTemplates,
		WebhookURL: env.appURL + "/hooks/whatsapp/" + strconv.FormatInt(coexID, 10)}
	if known == 0 {
		n.History = demoHistory(time.Now())
	}
	env.emu.AddWhatsAppNumber(n)
	if err := env.emu.VerifyWebhook(ctx, demoCoexID, "demo-verify"); err != nil {
		return fmt.Errorf("demo: the Support webhook handshake: %w", err)
	}
	return nil
}

// demoHistory is the Support number's chats from before it was connected.
func demoHistory(now time.Time) []graphemu.HistoryThread {
	at := func(d time.Duration) time.Time { return now.Add(-d) }
	c, b := graphemu.FromClient, graphemu.FromBusiness
	return []graphemu.HistoryThread{
		{Client: graphemu.Client{ID: "79990002001", Name: "Olga Sokolova"}, Messages: []graphemu.HistoryMessage{
			{From: c, Text: "Hello! Is the blue sofa still available?", At: at(72 * time.Hour)},
			{From: b, Text: "Good afternoon, Olga! Yes, we have two left.", At: at(71 * time.Hour)},
			{From: c, Text: "Great, I'll come on Saturday.", At: at(70 * time.Hour)},
		}},
		{Client: graphemu.Client{ID: "79990002002", Name: "Pavel Kuznetsov"}, Messages: []graphemu.HistoryMessage{
			{From: c, Text: "Can you send the price list?", At: at(30 * time.Hour)},
			{From: b, Kind: graphemu.KindDocument, Text: "Price list", MIME: "application/pdf", Name: "prices.pdf", At: at(29 * time.Hour)},
			{From: c, Text: "Thank you!", At: at(29 * time.Hour).Add(time.Minute)},
		}},
		{Client: graphemu.Client{ID: "79990002003", Name: "Elena Morozova"}, Messages: []graphemu.HistoryMessage{
			{From: c, Kind: graphemu.KindImage, Text: "This one, please", MIME: "image/jpeg", At: at(5 * time.Hour)},
			{From: b, Text: "Noted, we will call you back.", At: at(4 * time.Hour)},
		}},
		{Client: graphemu.Client{ID: "79990002004", Name: "Dmitry Ivanov"}, Messages: []graphemu.HistoryMessage{
			{From: c, Text: "Do you deliver to Kazan?", At: at(100 * 24 * time.Hour)},
			{From: b, Text: "Yes, in 3–5 days.", At: at(100 * 24 * time.Hour).Add(10 * time.Minute)},
		}},
	}
}
