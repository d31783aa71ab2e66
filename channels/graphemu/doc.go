// Package graphemu is a fake of Meta's Graph API for the WhatsApp Cloud API
// and the Instagram Messaging API. It speaks the real wire protocol over real
// HTTP and is as strict as the real service: bearer tokens, request
// validation with Graph error bodies, the 24-hour customer-service window,
// throughput limits, media upload and short-lived authenticated downloads,
// and signed (X-Hub-Signature-256) webhooks with retries. It also serves a
// "client phone" page where a person plays a client of a business (and, for
// coexistence numbers, the business's own phone), and Go methods that do the
// same for tests. It imports nothing of Switchboard, so it can catch adapter
// bugs instead of sharing them.
//
// # Routes
//
// Graph API (Bearer token of the account required; any "vNN.N" version):
//
//	POST   /{ver}/{phone-number-id}/messages  WhatsApp send, or {"status":"read"} mark-as-read
//	POST   /{ver}/{phone-number-id}/media     multipart upload (file, type, messaging_product)
//	GET    /{ver}/{media-id}                  media URL (?phone_number_id= optional)
//	DELETE /{ver}/{media-id}
//	GET    /{ver}/{phone-number-id}           number profile; GET /{ver}/{ig-id} or /{ver}/me: IG profile
//	POST   /{ver}/{ig-id}/messages, /{ver}/me/messages   Instagram send and sender actions
//	GET    /media-download/{id}?ext=&hash=    WhatsApp media bytes (Bearer, 5 minutes)
//	GET    /ig-cdn/{id}?ext=&hash=            Instagram attachment bytes (public, 1 hour)
//
// Phone page and its API (form or multipart fields account, client, name):
//
//	GET  /                                    the client phone page (?account=&client=&name= preselect)
//	GET  /phone/api/accounts                  registered accounts
//	GET  /phone/api/clients?account=          clients with a chat on the account
//	GET  /phone/api/conversation              the conversation as the phone shows it
//	GET  /phone/api/events                    SSE: "snapshot", then "message" and "status" events
//	POST /phone/api/send                      kind text|file|image|video|audio|voice|document|sticker|
//	                                          location|contacts|reaction, text, file, reply_to, react_to,
//	                                          emoji, lat, lon, loc_name, loc_address, contact_name, contact_phone
//	POST /phone/api/read                      the client looked at the chat
//	POST /phone/api/played                    id: a voice note was played
//	POST /phone/api/business/send|edit|revoke the business phone of a coexistence number (id, text)
//	GET  /phone/media/{id}                    the phone's copy of a file
//
// Admin: GET/POST /admin/faults (Faults as JSON; "latency_ms" or "latency" in ns),
// GET /admin/deliveries, POST /admin/replay?n=N, POST /admin/history
// ({"account", "threads":[HistoryThread...], "declined"}), POST
// /admin/verify?account=&verify_token= (the GET subscription handshake).
//
// # Phone page test ids
//
// Setup: phone-account (select), phone-client, phone-name, phone-open,
// phone-connection (data-state "open" once the stream is up). Chat:
// phone-messages holds one phone-message per message with data-id,
// data-type, data-status, data-source and data-direction ("out" = sent by
// the client holding the phone, "in" = from the business); inside it
// phone-message-body, phone-image, phone-audio, phone-file-link, and the
// per-message buttons phone-reply and phone-react (👍). Composer:
// phone-input + phone-send (or Enter), phone-attach with the hidden
// phone-file input, phone-voice (bundled sample), phone-record (microphone;
// click again to stop and send), phone-location → phone-location-send,
// phone-contact → phone-contact-send, phone-replying, phone-error. Business
// phone (coexistence numbers): business-panel, business-input +
// business-send, business-message with business-edit and business-revoke.
//
// # Status progression
//
// A business message accepted by POST /{ver}/{phone-number-id}/messages gets
// a "sent" status webhook at once, "delivered" when a phone page for that
// client is connected (or when one next connects), "read" when that page is
// visible and shows the conversation, and "played" when a voice note is
// played there. Free-form messages to a client whose last message is older
// than 24 hours get an asynchronous "failed" status with error 131047.
//
// # Coexistence webhooks
//
// Messages the business types on its own phone (the "business phone" panel,
// or BusinessSend) arrive as field "smb_message_echoes":
//
//	value: {messaging_product, metadata{display_phone_number, phone_number_id},
//	        message_echoes: [{from: <business digits>, to: <client wa_id>, id, timestamp,
//	                          type, <type object as in messages[]>}]}
//
// An edit is an echo of type "edit": {"edit":{"original_message_id":"wamid...",
// "message":{"type":"text","text":{"body":"new text"}}}}; a revoke is type
// "revoke": {"revoke":{"original_message_id":"wamid..."}}. Both carry their own
// fresh id.
//
// The history backfill (field "history") has this shape, one webhook per chunk:
//
//	value: {messaging_product, metadata{display_phone_number, phone_number_id},
//	        history: [{
//	          metadata: {phase: 0|1|2, chunk_order: 1.., progress: 0..100},
//	          threads: [{
//	            id: <client wa_id>,
//	            messages: [{from, to?, id, timestamp, type, text{body} | image{mime_type, caption?} ...,
//	                        history_context: {status: "READ"|"DELIVERED"|"SENT"|"PLAYED"|"ERROR"}}]}]}]}
//
// Phase 0 holds messages from the last day before onboarding, phase 1 days
// 1–90, phase 2 days 90–180; older ones are dropped. In a message the business
// sent, "from" is the business's display number and "to" is the client; in a
// message the client sent, "from" is the client. Media messages carry no media
// id (only mime_type and caption, and filename for documents), as with Meta.
// progress is the share of the whole backfill delivered once that chunk
// arrives, so the last chunk says 100. If the business declined to share
// history, one webhook carries history[{errors:[{code:2593109, title, message,
// error_data{details}}]}] instead.
package graphemu
